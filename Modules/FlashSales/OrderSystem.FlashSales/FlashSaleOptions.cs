namespace OrderSystem.FlashSales;

/// <summary>The "FlashSales" section of the configuration (docs/configuration.md).</summary>
public sealed class FlashSaleOptions
{
    /// <summary>Admission requests each host lets through per second; the rest are answered 429 at once.</summary>
    public int AdmissionsPerSecond { get; set; } = 2000;

    /// <summary>
    /// Admission requests each host lets into the store at once; the rest are answered 429 at once. Far above what a wave
    /// keeps in flight while the store answers in milliseconds: it bounds the pile-up while the store stalls.
    /// </summary>
    public int MaxAdmissionsInFlight { get; set; } = 1000;

    /// <summary>
    /// How long a host refuses a sale itself after the store said it is sold out (never past the sale's end; 0: always
    /// ask the store). A unit given back through another host is offered here at most this much later (decision 0032).
    /// </summary>
    public int SoldOutMemoMs { get; set; } = 250;

    /// <summary>Orders the order writers of all hosts together create per second at most, whatever the wave (a budget per second in the store).</summary>
    public int MaxOrderWritesPerSecond { get; set; } = 200;

    /// <summary>Tickets written in one database transaction.</summary>
    public int WriteBatchSize { get; set; } = 40;

    /// <summary>
    /// How long after its admission a ticket is written at the earliest (0: at once). A wave's units are taken in its first
    /// fraction of a second, when the machine is fullest; their orders are written after that burst, not during it
    /// (decision 0033).
    /// </summary>
    public int WriteDelayMs { get; set; } = 1000;

    /// <summary>A ticket read but not acknowledged for this long (its writer crashed) is taken over by another writer.</summary>
    public int ClaimIdleMs { get; set; } = 10_000;

    /// <summary>How long the writer waits before it looks at the stream again when the stream was empty.</summary>
    public int WriterPollMs { get; set; } = 50;

    /// <summary>How often the closer looks for sales that have ended.</summary>
    public int CloserPollMs { get; set; } = 500;

    /// <summary>
    /// How long after its close a settled sale's keys stay in the store before they are trimmed (decision 0025); until then
    /// an operator can still read the store's counters of a sale that just ended.
    /// </summary>
    public TimeSpan TrimAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the trimmer looks for closed sales due for trimming.</summary>
    public int TrimPollMs { get; set; } = 10_000;

    /// <summary>The store's key prefix; by default <c>flashsales:</c> and the module's database name, so a store serves one database.</summary>
    public string? KeyPrefix { get; set; }
}
