namespace OrderSystem.BuildingBlocks.Outbox;

/// <summary>
/// What one relay pass did with the rows it claimed. <see cref="RowFailures"/> failed before the broker was involved
/// (the type does not resolve, the payload does not deserialize) and are parked at once; <see cref="PublishFailures"/>
/// reached the broker and were refused or timed out.
/// </summary>
internal readonly record struct RelayPass(int Claimed, int Published, int RowFailures, int PublishFailures)
{
    public static readonly RelayPass Empty = new(0, 0, 0, 0);

    /// <summary>
    /// Nothing went out and the broker refused at least one row: the broker is most likely down, so the relay backs off
    /// and the failures do not count towards parking. A row that fails on its own never makes a pass look like this,
    /// and a pass in which any row was published shows the broker is up.
    /// </summary>
    public bool LooksLikeOutage => Published == 0 && PublishFailures > 0;

    public int Failed => RowFailures + PublishFailures;
}
