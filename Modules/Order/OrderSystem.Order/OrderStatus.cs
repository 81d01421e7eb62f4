namespace OrderSystem.Order;

/// <summary>
/// An order's life: Created, then Paid; or Cancelled when stock ran out at payment time, or by its buyer or an operator
/// (POST /api/orders/{id}/cancellation: a Created or a Paid order); or Expired when its payment window ended.
/// </summary>
internal static class OrderStatus
{
    public const string Created = "Created";
    public const string Paid = "Paid";
    public const string Cancelled = "Cancelled";
    public const string Expired = "Expired";
}
