using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>
/// Pooled connections are not reset between uses (see Db): this proves that the relay leaves no transaction open on its
/// connection, and that the next transaction begun there still gets the default level.
/// </summary>
public sealed class PooledConnectionTests : SystemTest
{
    [Test]
    public async Task A_transaction_on_a_connection_the_relay_used_runs_at_repeatable_read()
    {
        var sku = await NewProductAsync();
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        await Api.PayAsync(orderId, "pay-1", total);
        var relay = System.Services.GetServices<IHostedService>().OfType<OutboxRelay>().Single(r => r.Table == "order_outbox");
        await relay.DispatchBatchAsync(CancellationToken.None);

        // Holding more connections open at once than the pool keeps idle hands out every pooled one, the relay's among them.
        var db = System.OrderDb;
        var connections = new List<MySqlConnection>();
        try
        {
            for (var i = 0; i < 50; i++)
            {
                connections.Add(await db.OpenAsync(CancellationToken.None));
            }
            foreach (var connection in connections)
            {
                // The relay ends its SQL-driven transaction on every way out: no pooled connection comes back inside one.
                Assert.That(await connection.ExecuteScalarAsync<long>("SELECT @@in_transaction"), Is.Zero);
                await using var tx = await connection.BeginTransactionAsync();
                Assert.That(await connection.ExecuteScalarAsync<string>("SELECT @@SESSION.tx_isolation", transaction: tx),
                    Is.EqualTo("REPEATABLE-READ"));
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
