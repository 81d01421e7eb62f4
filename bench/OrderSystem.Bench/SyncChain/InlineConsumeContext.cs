using System.Reflection;
using MassTransit;

namespace OrderSystem.Bench.SyncChain;

/// <summary>
/// Lets the synchronous chain call a module's real consumer inline, without a broker. The consumers read only the message,
/// its id and the cancellation token; anything else they might touch fails loudly instead of being faked.
/// Not sealed: DispatchProxy generates a subclass.
/// </summary>
internal class InlineConsumeContext : DispatchProxy
{
    private object? _message;
    private Guid _messageId;
    private CancellationToken _ct;

    public static ConsumeContext<T> For<T>(T message, Guid messageId, CancellationToken ct) where T : class
    {
        var context = Create<ConsumeContext<T>, InlineConsumeContext>();
        var self = (InlineConsumeContext)(object)context;
        (self._message, self._messageId, self._ct) = (message, messageId, ct);
        return context;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        "get_Message" => _message,
        "get_MessageId" => (Guid?)_messageId,
        "get_CancellationToken" => _ct,
        var name => throw new NotSupportedException($"The inline consume context does not provide {name}."),
    };
}
