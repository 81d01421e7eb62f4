namespace OrderSystem.BuildingBlocks.Database;

public static class TimeProviderExtensions
{
    /// <summary>
    /// Now, cut to the microsecond that DATETIME(6) stores, so a value answered before it is written
    /// equals the value read back later (idempotent replies must be identical).
    /// </summary>
    public static DateTime UtcNowForDatabase(this TimeProvider clock)
    {
        var ticks = clock.GetUtcNow().UtcTicks;
        return new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
    }
}
