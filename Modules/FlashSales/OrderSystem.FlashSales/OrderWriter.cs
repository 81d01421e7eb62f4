using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OrderSystem.FlashSales;

/// <summary>
/// Turns admitted tickets into orders at a rate the database is comfortable with (FlashSales:MaxOrderWritesPerSecond,
/// in batches of FlashSales:WriteBatchSize, paced evenly over the second), however large the wave and however many hosts
/// write: the writers share each second's budget in the store. It reads the store's stream in a consumer group, so
/// writers on several hosts share it; an entry is acknowledged only after its batch committed, and entries a crashed
/// writer had read are taken over once idle for FlashSales:ClaimIdleMs. Writing is idempotent per ticket, so an entry
/// written twice still makes one order.
/// </summary>
internal sealed partial class OrderWriter(
    SaleStore store, WriteTickets writes, UnitReturns returns, IOptions<FlashSaleOptions> options, TimeProvider clock,
    ILogger<OrderWriter> logger) : BackgroundService
{
    private readonly FlashSaleOptions _options = options.Value;
    private readonly string _consumer = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    private DateTime _nextClaimAt = DateTime.MinValue;
    private bool _groupReady;
    private bool _ownPending; // a batch failed or outran the budget: its entries are still ours, read them again first

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var started = clock.GetTimestamp();
                var written = await WriteOnceAsync(stoppingToken);
                failures = 0;
                wait = written switch
                {
                    BudgetSpent => UntilNextSecond(),
                    0 => TimeSpan.FromMilliseconds(_options.WriterPollMs),
                    _ => PaceAfter(written, clock.GetElapsedTime(started)),
                };
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                _groupReady = false; // the store may have restarted empty, or been reset: make sure of the group again
                _ownPending = true;
                LogWriteFailed(e.Message, e);
                wait = TimeSpan.FromMilliseconds(Math.Min(1000, 50 * Math.Pow(2, failures)));
            }
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
        }
    }

    private const int BudgetSpent = -1;

    /// <summary>
    /// One batch: entries taken over from a crashed writer first, else new ones. Returns how many it wrote, or
    /// <see cref="BudgetSpent"/> when this second's writes are all taken.
    /// </summary>
    private async Task<int> WriteOnceAsync(CancellationToken ct)
    {
        await EnsureGroupAsync();
        var count = _options.WriteBatchSize;
        StreamEntry[] entries = [];
        var now = clock.GetUtcNow().UtcDateTime;
        if (now >= _nextClaimAt)
        {
            var claimed = await store.Db.StreamAutoClaimAsync(store.Stream, SaleStore.WriterGroup, _consumer, _options.ClaimIdleMs, "0-0", count);
            entries = claimed.ClaimedEntries;
            if (entries.Length < count)
            {
                _nextClaimAt = now.AddMilliseconds(Math.Max(100, _options.ClaimIdleMs / 4)); // nothing more idle for a while
            }
        }
        if (entries.Length == 0 && _ownPending)
        {
            entries = await store.Db.StreamReadGroupAsync(store.Stream, SaleStore.WriterGroup, _consumer, "0-0", count);
            _ownPending = entries.Length > 0;
        }
        if (entries.Length == 0)
        {
            entries = await store.Db.StreamReadGroupAsync(store.Stream, SaleStore.WriterGroup, _consumer, StreamPosition.NewMessages, count);
        }
        if (entries.Length == 0)
        {
            return 0;
        }
        // A loop, not one wait: timers run on a coarse clock and can fire a few milliseconds early (a CI run wrote a
        // ticket 997 ms after its admission with a delay of 1,000).
        var youngest = YoungestAdmittedMs(entries);
        var heldSince = clock.GetTimestamp();
        TimeSpan Hold() => HoldFor(youngest, clock.GetUtcNow().ToUnixTimeMilliseconds(), clock.GetElapsedTime(heldSince), _options.WriteDelayMs);
        while (Hold() is var wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, ct);
        }
        // Entries beyond this second's budget stay read and unacknowledged, ours to read again first.
        var granted = await store.TakeWriteBudgetAsync(entries.Length, _options.MaxOrderWritesPerSecond, clock.GetUtcNow().UtcDateTime);
        if (granted < entries.Length)
        {
            _ownPending = true;
            if (granted == 0)
            {
                return BudgetSpent;
            }
            entries = entries[..granted];
        }
        var tickets = entries.Select(Parse).OfType<Ticket>().DistinctBy(t => t.TicketId).ToList();
        if (tickets.Count > 0)
        {
            var written = await writes.RunAsync(tickets, ct);
            foreach (var rejected in written.Where(w => w.Status == TicketStatus.Rejected))
            {
                await returns.ReturnAsync(rejected.Ticket, inboxRecord: null, ct);
            }
            FlashSaleMetrics.TicketsWritten(written.Count(w => w.New && w.Status == TicketStatus.Ordered), TicketStatus.Ordered);
            FlashSaleMetrics.TicketsWritten(written.Count(w => w.New && w.Status == TicketStatus.Rejected), TicketStatus.Rejected);
        }
        await AcknowledgeAndDropAsync(entries.Select(e => e.Id).ToArray());
        return entries.Length;
    }

    /// <summary>
    /// Written (or unreadable) entries are acknowledged and dropped from the stream, so it does not grow with every sale,
    /// in one MULTI/EXEC: done as two commands, a store killed between them kept entries that no writer would read again
    /// (acknowledged) but that reconciliation still counted as admitted and not written (a flaky fault test).
    /// </summary>
    private async Task AcknowledgeAndDropAsync(RedisValue[] ids)
    {
        var both = store.Db.CreateTransaction();
        var acknowledged = both.StreamAcknowledgeAsync(store.Stream, SaleStore.WriterGroup, ids);
        var dropped = both.StreamDeleteAsync(store.Stream, ids);
        await both.ExecuteAsync();
        await Task.WhenAll(acknowledged, dropped);
    }

    private async Task EnsureGroupAsync()
    {
        if (_groupReady)
        {
            return;
        }
        try
        {
            await store.Db.StreamCreateConsumerGroupAsync(store.Stream, SaleStore.WriterGroup, "0-0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // another writer (or an earlier start) made it
        }
        _groupReady = true;
    }

    // The cap spread over the second: a batch of n is followed by n / cap seconds in all, so the database takes the
    // sale's orders at an even rate instead of a second's worth in a burst at its start (the ordinary payments' tail).
    private TimeSpan PaceAfter(int written, TimeSpan took)
    {
        var share = TimeSpan.FromSeconds((double)written / _options.MaxOrderWritesPerSecond);
        return share > took ? share - took : TimeSpan.Zero;
    }

    /// <summary>
    /// How much longer a read batch is held back. A wave's units are taken in a burst of a fraction of a second, when the
    /// machine is fullest; a batch is written FlashSales:WriteDelayMs after its youngest ticket was admitted, in the
    /// headroom the refused rest of the wave leaves (decision 0033). Whole milliseconds up, as the admission times are.
    /// Never more than twice the delay in all, by this host's own steady clock: another host's wall clock running ahead
    /// must not hold this writer longer (twice, not once, leaves room for timers that fire a few milliseconds early).
    /// </summary>
    internal static TimeSpan HoldFor(long youngestAdmittedMs, long nowMs, TimeSpan heldSoFar, int delayMs)
    {
        var untilOldEnoughMs = youngestAdmittedMs + delayMs - nowMs + 1;
        var leftOfBoundMs = 2L * delayMs - (long)Math.Ceiling(heldSoFar.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(untilOldEnoughMs, leftOfBoundMs), 0, delayMs));
    }

    private static long YoungestAdmittedMs(StreamEntry[] entries) => entries.Max(e => AdmittedAtMs(e) ?? 0);

    private TimeSpan UntilNextSecond() => TimeSpan.FromMilliseconds(1000 - clock.GetUtcNow().Millisecond);

    private Ticket? Parse(StreamEntry entry)
    {
        var saleId = entry["sale"];
        var ticketId = entry["ticket"];
        var userId = entry["user"];
        if (saleId.IsNull || userId.IsNull || !Guid.TryParse(ticketId.ToString(), out var id) ||
            !int.TryParse(entry["quantity"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) ||
            AdmittedAtMs(entry) is not { } at)
        {
            LogUnreadable(entry.Id.ToString());
            return null;
        }
        return new Ticket(id, saleId.ToString(), userId.ToString(), quantity, DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime);
    }

    /// <summary>When the admitting host's clock said the ticket was admitted, in Unix milliseconds; null when unreadable.</summary>
    private static long? AdmittedAtMs(StreamEntry entry) =>
        long.TryParse(entry["at"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var at) ? at : null;

    [LoggerMessage(LogLevel.Warning, "Writing flash sale tickets failed: {Error}")]
    private partial void LogWriteFailed(string error, Exception exception);

    [LoggerMessage(LogLevel.Error, "Flash sale stream entry {EntryId} is unreadable; it is dropped")]
    private partial void LogUnreadable(string entryId);
}
