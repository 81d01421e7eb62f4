namespace OrderSystem.FlashSales;

/// <summary>
/// Each host's order writer joins the stream's group under a name of its own process, so every restart left one more
/// consumer in the group for ever. A consumer idle that long and holding no entry belongs to a writer that is gone: it is
/// removed. One script, so no writer can read an entry between the look and the removal (removing a consumer drops its
/// pending entries, which nobody could take over after that). A live writer removed after all (paused that long) is
/// simply created again by its next read.
/// </summary>
internal sealed class StaleWriters(SaleStore store)
{
    public async Task<int> RemoveAsync(TimeSpan idle)
    {
        const string script = """
            local consumers = redis.pcall('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
            if type(consumers) ~= 'table' or consumers.err then return 0 end
            local removed = 0
            for _, fields in ipairs(consumers) do
                local c = {}
                for i = 1, #fields, 2 do c[fields[i]] = fields[i + 1] end
                if c['pending'] == 0 and c['idle'] > tonumber(ARGV[2]) then
                    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], c['name'])
                    removed = removed + 1
                end
            end
            return removed
            """;
        return (int)await store.Db.ScriptEvaluateAsync(script, [store.Stream], [SaleStore.WriterGroup, (long)idle.TotalMilliseconds]);
    }
}
