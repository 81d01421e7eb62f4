using RabbitMQ.Client;

namespace OrderSystem.Feed.Client;

/// <summary>Where a reader attaches to the stream (x-stream-offset): the first retained event, a stream offset, or a time.</summary>
public abstract record StreamStart
{
    public static readonly StreamStart First = new FirstRetained();

    public static StreamStart AtOffset(long offset) => new Offset(offset);

    /// <summary>RabbitMQ attaches at the chunk holding this second, so a little earlier: filter by occurredAt if it matters.</summary>
    public static StreamStart At(DateTimeOffset time) => new Time(time);

    internal abstract object Argument { get; }

    private sealed record FirstRetained : StreamStart
    {
        internal override object Argument => "first";
    }

    private sealed record Offset(long Value) : StreamStart
    {
        internal override object Argument => Value;
    }

    private sealed record Time(DateTimeOffset Value) : StreamStart
    {
        internal override object Argument => new AmqpTimestamp(Value.ToUnixTimeSeconds());
    }
}
