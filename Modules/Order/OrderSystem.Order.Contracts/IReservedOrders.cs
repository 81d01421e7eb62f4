using System.Data.Common;

namespace OrderSystem.Order.Contracts;

/// <summary>
/// Order's in-process port for flash sales: orders whose stock was reserved before they were placed. The caller runs the
/// commands in its own transaction with its own writes (the SQL stays inside Order, as Inventory's stays behind
/// <c>IStock</c>), so an order exists exactly when the caller's record of it does. Such an order is a normal order with a
/// payment window; its payment deducts from the reservation, and when its window ends unpaid its OrderExpired gives the
/// caller the chance to put the units back. It exists only in a process that runs Order, for modules on Order's database.
/// </summary>
public interface IReservedOrders
{
    /// <summary>
    /// The inserts of these orders (status Created, stock reserved, payment window from <paramref name="now"/>) for the
    /// caller's batch: a few multi-row statements whatever the number of orders.
    /// </summary>
    IReadOnlyList<DbBatchCommand> CreatePlaceCommands(IReadOnlyList<ReservedOrder> orders, DateTime now);

    /// <summary>
    /// The quantity per SKU of reserved-stock orders that were paid (those the reservation no longer holds), read inside
    /// the caller's transaction. For reconciliation.
    /// </summary>
    Task<IReadOnlyDictionary<string, long>> GetPaidQuantitiesAsync(DbTransaction transaction, CancellationToken ct);
}

/// <summary>One order of one line whose stock is already reserved; <paramref name="OrderId"/> is the caller's own key.</summary>
public sealed record ReservedOrder(Guid OrderId, string UserId, string Sku, int Quantity, decimal UnitPrice);
