using Dapper;
using MySqlConnector;

namespace OrderSystem.FlashSales;

/// <summary>A sale as the database holds it: its definition never changes; it is closed once, when it has ended.</summary>
internal sealed record StoredSale(
    string SaleId, string Sku, int Units, decimal Price, DateTime StartsAt, DateTime EndsAt, int PerUserLimit, DateTime? ClosedAt,
    int? UnitsLeftAtClose)
{
    private const string Sql = """
        SELECT id AS SaleId, sku AS Sku, units AS Units, price AS Price, starts_at AS StartsAt, ends_at AS EndsAt,
               per_user_limit AS PerUserLimit, closed_at AS ClosedAt, units_left_at_close AS UnitsLeftAtClose
        FROM flashsales_sales WHERE id IN @Ids
        """;

    public static async Task<StoredSale?> LoadAsync(MySqlConnection connection, string saleId, CancellationToken ct) =>
        (await LoadManyAsync(connection, [saleId], ct)).GetValueOrDefault(saleId);

    public static async Task<Dictionary<string, StoredSale>> LoadManyAsync(
        MySqlConnection connection, IReadOnlyCollection<string> saleIds, CancellationToken ct) =>
        (await connection.QueryAsync<StoredSale>(new CommandDefinition(Sql, new { Ids = saleIds }, cancellationToken: ct)))
            .ToDictionary(s => s.SaleId, StringComparer.Ordinal);
}
