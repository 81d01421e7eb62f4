using Dapper;
using Microsoft.AspNetCore.Http;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.FlashSales.Contracts;
using OrderSystem.Inventory.Contracts;
using StackExchange.Redis;

namespace OrderSystem.FlashSales;

/// <summary>
/// PUT /api/admin/flash-sales/{saleId}: an operator defines a sale. Its units leave the product's stock (into Inventory's
/// reservation) in the same transaction that writes the sale, then the sale is loaded into the store. The same
/// definition again answers the same (and loads a sale the store lacks); another one for an existing sale is refused.
/// </summary>
internal static class DefineSale
{
    internal sealed record Request(string? Sku, int? Units, decimal? Price, DateTime? StartsAt, DateTime? EndsAt, int? PerUserLimit);

    internal sealed record Response(
        string SaleId, string Sku, int Units, decimal Price, DateTime StartsAt, DateTime EndsAt, int PerUserLimit, int Remaining);

    private const string InsertSql = """
        INSERT INTO flashsales_sales (id, sku, units, price, starts_at, ends_at, per_user_limit, created_at)
        VALUES (@Id, @Sku, @Units, @Price, @StartsAt, @EndsAt, @PerUserLimit, @Now)
        """;

    public static async Task<IResult> Handle(string saleId, HttpRequest http, ModuleStore<ModuleTag> flashSales, SaleStore store,
        SoldOutMemo soldOut, IStock stock, TimeProvider clock, CancellationToken ct)
    {
        var (request, problem) = await JsonBody.ReadAsync<Request>(http, ct);
        if (problem is not null)
        {
            return problem;
        }
        var now = clock.UtcNowForDatabase();
        var errors = Validate(saleId, request!, now);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var sale = new StoredSale(saleId, request!.Sku!, request.Units!.Value, request.Price!.Value, Micros(request.StartsAt!.Value),
            Micros(request.EndsAt!.Value), request.PerUserLimit!.Value, null, null);

        await using var connection = await flashSales.Db.OpenAsync(ct);
        var existing = await StoredSale.LoadAsync(connection, saleId, ct);
        if (existing is null)
        {
            if ((await stock.GetPricesAsync([sale.Sku], ct)).Count == 0)
            {
                return Problems.NotFound("Product", sale.Sku);
            }
            var outcome = await InsertAsync(connection, sale, stock, now, ct);
            if (outcome is not null)
            {
                return outcome;
            }
            existing = sale;
        }
        else if (existing with { ClosedAt = null, UnitsLeftAtClose = null } != sale)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "sale-exists", "The sale exists.",
                "A sale with this id is defined differently; a sale cannot be changed once defined. Choose another id.");
        }
        try
        {
            if (await store.ReadAsync(saleId) is null && await HasTicketsAsync(connection, saleId, ct))
            {
                // Loading it again would offer the units of every ticket still in flight a second time (decision 0018).
                return Problems.Create(StatusCodes.Status409Conflict, "sale-store-lost", "The store lost the sale.",
                    "The sale has tickets but the store no longer holds it; it is not loaded again. Define a new sale.");
            }
            await store.LoadAsync(existing);
            soldOut.Forget(saleId); // a sale loaded afresh (after a reset, in tests) is decided by the store again
            return TypedResults.Ok(ToResponse(existing, await store.ReadAsync(saleId)));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return SaleProblems.StoreUnavailable(); // the sale is defined: the same PUT again loads it
        }
    }

    private static async Task<bool> HasTicketsAsync(MySqlConnection connection, string saleId, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM flashsales_tickets WHERE sale_id = @SaleId)", new { SaleId = saleId }, cancellationToken: ct));

    internal static Response ToResponse(StoredSale sale, SaleCounters? counters) => new(sale.SaleId, sale.Sku, sale.Units, sale.Price,
        sale.StartsAt, sale.EndsAt, sale.PerUserLimit, sale.ClosedAt is not null || counters is null || counters.Closed ? 0 : counters.Left);

    // Null when written; else the answer (stock short, or a concurrent PUT of the same id got there first).
    private static async Task<IResult?> InsertAsync(MySqlConnection connection, StoredSale sale, IStock stock, DateTime now, CancellationToken ct)
    {
        await using var batch = new MySqlBatch(connection)
        {
            BatchCommands =
            {
                InlineTransaction.Start(),
                new MySqlBatchCommand(InsertSql)
                {
                    Parameters =
                    {
                        new("@Id", sale.SaleId), new("@Sku", sale.Sku), new("@Units", sale.Units), new("@Price", sale.Price),
                        new("@StartsAt", sale.StartsAt), new("@EndsAt", sale.EndsAt), new("@PerUserLimit", sale.PerUserLimit), new("@Now", now),
                    },
                },
                (MySqlBatchCommand)stock.CreateReserveCommand(sale.Sku, sale.Units),
            },
        };
        try
        {
            var reserved = await InlineTransaction.ExecuteAsync(batch, ct) == 2;
            await InlineTransaction.EndAsync(connection, commit: reserved, ct);
            return reserved ? null : Problems.Create(StatusCodes.Status409Conflict, "insufficient-stock", "Not enough stock.",
                $"The product has fewer than {sale.Units} units available; nothing was changed.");
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "sale-exists", "The sale exists.",
                "The sale was being defined by another request at the same moment; send the PUT again to see it.");
        }
    }

    private static DateTime Micros(DateTime value)
    {
        var utc = value.ToUniversalTime();
        return new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);
    }

    private static Dictionary<string, string[]> Validate(string saleId, Request request, DateTime now)
    {
        var errors = new Dictionary<string, string[]>();
        if (!SaleIds.IsValid(saleId))
        {
            errors["saleId"] = [SaleIds.Message];
        }
        if (!Skus.IsValid(request.Sku))
        {
            errors["sku"] = [Skus.Message];
        }
        if (request.Units is not (>= 1 and <= 1_000_000))
        {
            errors["units"] = ["Give the units for sale, from 1 to 1000000."];
        }
        if (request.Price is not { } price || price <= 0 || price > 1_000_000 || price != Math.Round(price, 2))
        {
            errors["price"] = ["Give a price above 0 and at most 1000000, with at most 2 decimals."];
        }
        if (request.PerUserLimit is not (>= 1 and <= 999))
        {
            errors["perUserLimit"] = ["Give the units one buyer may hold, from 1 to 999."];
        }
        if (request.StartsAt is not { } startsAt || request.EndsAt is not { } endsAt)
        {
            errors["startsAt"] = ["Give startsAt and endsAt as ISO 8601 UTC times."];
        }
        else if (endsAt <= startsAt || endsAt <= now || endsAt - startsAt > TimeSpan.FromDays(31))
        {
            errors["endsAt"] = ["endsAt must be after startsAt and in the future, at most 31 days after startsAt."];
        }
        return errors;
    }
}
