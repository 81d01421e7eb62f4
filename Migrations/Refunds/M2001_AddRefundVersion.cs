using FluentMigrator;

namespace OrderSystem.Migrations.Refunds;

/// <summary>
/// A refund's version: 1 when it is created, one more with each change of state, carried in its RefundChanged so that
/// Order can record the changes in the order Refunds made them. Refunds that exist already start again from 0, so their
/// next change is 1: Order has seen none of their versions. INSTANT: no table rebuild.
/// </summary>
[Migration(2001, "Refunds: a version per refund, counting its changes")]
public sealed class M2001_AddRefundVersion : Migration
{
    public override void Up()
    {
        Execute.Sql("ALTER TABLE refunds_refunds ADD COLUMN version INT NOT NULL DEFAULT 0, ALGORITHM=INSTANT");
        Execute.Sql("ALTER TABLE refunds_refunds ALTER COLUMN version SET DEFAULT 1");
    }

    public override void Down() => Execute.Sql("ALTER TABLE refunds_refunds DROP COLUMN version");
}
