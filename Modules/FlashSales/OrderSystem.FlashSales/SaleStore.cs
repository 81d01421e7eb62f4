using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Modules;
using StackExchange.Redis;

namespace OrderSystem.FlashSales;

/// <summary>
/// The fast store (Redis): per sale a hash (units left, window, limit, closed), the units each user holds, the tickets
/// admitted and the units given back; one stream of order requests for all sales. Every change is one Lua script, so
/// it happens whole or not at all, and with appendfsync always it is on disk before the answer (decision 0018).
/// </summary>
internal sealed class SaleStore(IConnectionMultiplexer redis, IOptions<FlashSaleOptions> options, ModuleStore<ModuleTag> flashSales)
{
    public const string WriterGroup = "order-writer";

    private readonly string _prefix = options.Value.KeyPrefix is { Length: > 0 } prefix ? prefix : "flashsales:" + flashSales.Db.Database;

    public IDatabase Db => redis.GetDatabase();

    public RedisKey Stream => _prefix + ":orders";

    /// <summary>Every key of the store (for tests that start from nothing).</summary>
    public RedisValue KeyPattern => _prefix + ":*";

    // The sale's id in braces: all of one sale's keys hash to one slot, should the store ever be a cluster.
    public RedisKey Sale(string saleId) => $"{_prefix}:{{{saleId}}}:sale";

    public RedisKey Users(string saleId) => $"{_prefix}:{{{saleId}}}:users";

    public RedisKey Tickets(string saleId) => $"{_prefix}:{{{saleId}}}:tickets";

    public RedisKey Returns(string saleId) => $"{_prefix}:{{{saleId}}}:returns";

    /// <summary>Every key of one sale: what a trim deletes (decision 0025). The stream and its group are shared by all sales.</summary>
    public RedisKey[] SaleKeys(string saleId) => [Sale(saleId), Users(saleId), Tickets(saleId), Returns(saleId)];

    /// <summary>A SCAN pattern matching every key of one sale (for tests and operators: what a trim leaves is nothing).</summary>
    public RedisValue SaleKeyPattern(string saleId) => $"{_prefix}:{{{saleId}}}:*";

    /// <summary>The orders all writers together may still create in the second <paramref name="second"/> (Unix seconds).</summary>
    public RedisKey WriteBudget(long second) => $"{_prefix}:writes:{second}";

    public static long ToMs(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    /// <summary>Loads a sale the database holds; never touches one already loaded (its units left are the truth).</summary>
    public async Task LoadAsync(StoredSale sale)
    {
        const string script = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], 'units', ARGV[1], 'left', ARGV[1], 'admitted', 0, 'returned', 0,
                'starts', ARGV[2], 'ends', ARGV[3], 'limit', ARGV[4], 'closed', 0)
            return 1
            """;
        await Db.ScriptEvaluateAsync(script, [Sale(sale.SaleId)],
            [sale.Units, ToMs(sale.StartsAt), ToMs(sale.EndsAt), sale.PerUserLimit]);
    }

    /// <summary>
    /// The admission: window, per-user limit and units left checked, the units taken, and the order request appended to
    /// the stream, in one script. Answers "admitted" or why not ("unknown", "not-started", "ended", "sold-out", "limit-reached");
    /// a sold-out answer also brings the sale's end, so that the host may remember it until then at most (<see cref="SoldOutMemo"/>).
    /// </summary>
    public async Task<Admission> AdmitAsync(string saleId, string userId, int quantity, Guid ticketId, DateTime now)
    {
        const string script = """
            local s = redis.call('HMGET', KEYS[1], 'left', 'starts', 'ends', 'limit', 'closed')
            if not s[1] then return 'unknown' end
            local now = tonumber(ARGV[4])
            if now < tonumber(s[2]) then return 'not-started' end
            if now >= tonumber(s[3]) or s[5] == '1' then return 'ended' end
            local quantity = tonumber(ARGV[3])
            if tonumber(s[1]) < quantity then return {'sold-out', s[3]} end
            local held = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
            if held + quantity > tonumber(s[4]) then return 'limit-reached' end
            redis.call('HINCRBY', KEYS[1], 'left', -quantity)
            redis.call('HINCRBY', KEYS[1], 'admitted', quantity)
            redis.call('HINCRBY', KEYS[2], ARGV[2], quantity)
            redis.call('HSET', KEYS[3], ARGV[5], 'Pending')
            redis.call('XADD', KEYS[4], '*', 'sale', ARGV[1], 'ticket', ARGV[5], 'user', ARGV[2], 'quantity', ARGV[3], 'at', ARGV[4])
            return 'admitted'
            """;
        var result = await Db.ScriptEvaluateAsync(script, [Sale(saleId), Users(saleId), Tickets(saleId), Stream],
            [saleId, userId, quantity, ToMs(now), ticketId.ToString()]);
        return result.Resp2Type == ResultType.Array
            ? new Admission(result[0].ToString(), DateTimeOffset.FromUnixTimeMilliseconds((long)result[1]).UtcDateTime)
            : new Admission(result.ToString(), null);
    }

    /// <summary>
    /// Gives a lapsed ticket's units back, once per ticket: to the sale while it is open (and the buyer's allowance with
    /// them), else to the product, which the caller then does in the database. Answers where they went ("sale" or "product"),
    /// the same for every call about one ticket. A sale the store no longer holds (trimmed once settled, decision 0025) is
    /// closed: "product", and nothing is written, so no key of it comes back; the database's return row is then the only
    /// memory of the ticket's return, as it is for every return to the product.
    /// </summary>
    public async Task<string> ReturnAsync(string saleId, Guid ticketId, string userId, int quantity)
    {
        const string script = """
            local done = redis.call('HGET', KEYS[3], ARGV[1])
            if done then return done end
            if redis.call('EXISTS', KEYS[1]) == 0 then return 'product' end
            local target = 'product'
            if redis.call('HGET', KEYS[1], 'closed') == '0' then
                redis.call('HINCRBY', KEYS[1], 'left', ARGV[3])
                redis.call('HINCRBY', KEYS[1], 'returned', ARGV[3])
                redis.call('HINCRBY', KEYS[2], ARGV[2], -tonumber(ARGV[3]))
                target = 'sale'
            end
            redis.call('HSET', KEYS[3], ARGV[1], target)
            return target
            """;
        var result = await Db.ScriptEvaluateAsync(script, [Sale(saleId), Users(saleId), Returns(saleId)],
            [ticketId.ToString(), userId, quantity]);
        return result.ToString();
    }

    /// <summary>
    /// Takes up to <paramref name="wanted"/> order writes from this second's budget of <paramref name="perSecond"/>, which
    /// every host's writer shares: the cap holds for the database, however many hosts write. Answers how many were granted.
    /// </summary>
    public async Task<int> TakeWriteBudgetAsync(int wanted, int perSecond, DateTime now)
    {
        const string script = """
            local take = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - tonumber(redis.call('GET', KEYS[1]) or '0'))
            if take <= 0 then return 0 end
            redis.call('INCRBY', KEYS[1], take)
            redis.call('PEXPIRE', KEYS[1], 5000)
            return take
            """;
        return (int)await Db.ScriptEvaluateAsync(script, [WriteBudget(ToMs(now) / 1000)], [wanted, perSecond]);
    }

    /// <summary>Closes a sale: no admission and no return reaches it after this. Answers the units left (frozen from now on), or null if unknown.</summary>
    public async Task<int?> CloseAsync(string saleId)
    {
        const string script = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
            redis.call('HSET', KEYS[1], 'closed', 1)
            return tonumber(redis.call('HGET', KEYS[1], 'left'))
            """;
        var left = (int)await Db.ScriptEvaluateAsync(script, [Sale(saleId)]);
        return left < 0 ? null : left;
    }

    /// <summary>The sale as the store holds it, or null when it is not loaded.</summary>
    public async Task<SaleCounters?> ReadAsync(string saleId)
    {
        var values = await Db.HashGetAsync(Sale(saleId), ["units", "left", "admitted", "returned", "closed"]);
        return values[0].IsNull ? null
            : new SaleCounters((int)values[0], (int)values[1], (long)values[2], (long)values[3], values[4] == "1");
    }

    public async Task<bool> IsPendingAsync(string saleId, Guid ticketId) =>
        await Db.HashExistsAsync(Tickets(saleId), ticketId.ToString());
}

/// <summary>The store's decision on an admission; a sold-out one with the sale's end.</summary>
internal sealed record Admission(string Outcome, DateTime? EndsAt);

/// <summary>A sale's counters in the store: units defined, left, admitted (in tickets) and given back to it.</summary>
internal sealed record SaleCounters(int Units, int Left, long Admitted, long Returned, bool Closed);
