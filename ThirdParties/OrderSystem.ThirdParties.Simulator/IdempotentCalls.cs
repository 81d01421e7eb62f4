using System.Collections.Concurrent;
using System.Text.Json;
using OrderSystem.ThirdParties.Simulator.Ledger;

namespace OrderSystem.ThirdParties.Simulator;

/// <summary>
/// Does the work of a business call once per party and Idempotency-Key, records it in the party's ledger, and answers a
/// repeated key with the stored answer. Concurrent calls with one key share one Lazy: one does the work, the others wait.
/// A key is remembered for the party's most recent calls only (<see cref="Retention"/>): an older one does the work again.
/// </summary>
internal sealed class IdempotentCalls(Ledgers ledgers, TimeProvider clock, Retention retention)
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 200;

    private readonly ConcurrentDictionary<(string Party, string Key), Lazy<Done>> _done = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _keysInOrder = new();

    /// <summary>The key of a business call, or a 400 problem when it is missing, repeated, empty or too long.</summary>
    public static (string? Key, IResult? Problem) KeyOf(HttpRequest request) =>
        request.Headers[KeyHeader] is [{ Length: > 0 and <= MaxKeyLength } key]
            ? (key, null)
            : (null, Problems.Invalid(KeyHeader, $"one {KeyHeader} header of 1 to {MaxKeyLength} characters is required"));

    /// <param name="request">A record: a repeated key with an unequal request is a conflict.</param>
    /// <param name="work">The work itself, at the given time; its answer is the body, and it names the order.</param>
    public IResult Run<TRequest, TAnswer>(string party, string key, TRequest request, HttpResponse response,
        Func<DateTimeOffset, TAnswer> work, Func<TAnswer, Guid> orderOf) where TRequest : notnull
    {
        var ours = new Lazy<Done>(() =>
        {
            var at = clock.GetUtcNow();
            var answer = work(at);
            var body = JsonSerializer.SerializeToElement(answer, JsonBody.Strict);
            ledgers.Record(party, key, orderOf(answer), at, body);
            return new Done(request, body);
        });
        var stored = _done.GetOrAdd((party, key), ours);
        if (ReferenceEquals(stored, ours))
        {
            var keysInOrder = _keysInOrder.GetOrAdd(party, _ => new ConcurrentQueue<string>());
            retention.Keep(keysInOrder, key, oldest => _done.TryRemove((party, oldest), out _));
        }
        var done = stored.Value;
        if (!done.Request.Equals(request))
        {
            return Problems.KeyReused(party, key);
        }
        if (!ReferenceEquals(stored, ours))
        {
            response.Headers[ReplayedHeader] = "true";
        }
        return Results.Json(done.Answer);
    }

    private sealed record Done(object Request, JsonElement Answer);
}
