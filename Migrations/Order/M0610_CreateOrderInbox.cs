using FluentMigrator;
using OrderSystem.Migrations.Shared;

namespace OrderSystem.Migrations.Order;

/// <summary>Order's inbox: Refunds' RefundChanged events, each recorded once as a change of its order for the feed.</summary>
[Migration(610, "Order: inbox (refund states for the order feed)")]
public sealed class M0610_CreateOrderInbox : Migration
{
    public override void Up() => Execute.Sql(MessageTables.Inbox("order_inbox"));

    public override void Down() => Execute.Sql("DROP TABLE order_inbox");
}
