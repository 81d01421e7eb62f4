using FluentMigrator;

namespace OrderSystem.Migrations.Order;

/// <summary>One spelling in the API and the code: the API always said "fulfillment".</summary>
[Migration(401, "Order: order_fulfilment renamed order_fulfillment")]
public sealed class M0401_RenameOrderFulfillment : Migration
{
    public override void Up() => Execute.Sql("RENAME TABLE order_fulfilment TO order_fulfillment");

    public override void Down() => Execute.Sql("RENAME TABLE order_fulfillment TO order_fulfilment");
}
