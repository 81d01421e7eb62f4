namespace OrderSystem.FlashSales;

/// <summary>
/// A ticket's life: Pending once admitted (it is in the store's stream), then Ordered when its order is written (the order's
/// id is the ticket's), or Rejected when no order can be made for it (its units go back).
/// </summary>
internal static class TicketStatus
{
    public const string Pending = "Pending";
    public const string Ordered = "Ordered";
    public const string Rejected = "Rejected";
}
