using FluentMigrator;

namespace OrderSystem.Migrations.FlashSales;

/// <summary>
/// A settled sale's keys are trimmed from the store (decision 0025): the store's counters verified at that moment are kept
/// here, so the reconciliation still checks the sale without the store; trim_started_at is the claim (set once, by one
/// host), trimmed_at says the keys are gone. The index finds the closed sales not trimmed yet.
/// </summary>
[Migration(1703, "FlashSales: trimmed sales")]
public sealed class M1703_AddFlashSalesTrim : Migration
{
    public override void Up() => Execute.Sql("""
        ALTER TABLE flashsales_sales
            ADD COLUMN units_admitted INT NULL,
            ADD COLUMN units_returned_to_sale INT NULL,
            ADD COLUMN trim_started_at DATETIME(6) NULL,
            ADD COLUMN trimmed_at DATETIME(6) NULL,
            ADD KEY ix_flashsales_sales_untrimmed (trimmed_at, closed_at)
        """);

    public override void Down() => Execute.Sql("""
        ALTER TABLE flashsales_sales DROP KEY ix_flashsales_sales_untrimmed,
            DROP COLUMN trimmed_at, DROP COLUMN trim_started_at, DROP COLUMN units_returned_to_sale, DROP COLUMN units_admitted
        """);
}
