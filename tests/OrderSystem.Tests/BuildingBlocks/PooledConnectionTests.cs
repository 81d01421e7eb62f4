using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>Pooled connections are not reset between uses (see Db), so nothing may leave session state behind.</summary>
public sealed class PooledConnectionTests : SystemTest
{
    [Test]
    public async Task The_relay_leaves_no_connection_in_the_pool_at_read_committed()
    {
        var sku = await NewProductAsync();
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        await Api.PayAsync(orderId, "pay-1", total);
        var relay = System.Services.GetServices<IHostedService>().OfType<OutboxRelay<OrderSystem.Order.ModuleTag>>().Single();
        await relay.DispatchBatchAsync(CancellationToken.None);

        // Holding more connections open at once than the pool keeps idle hands out every pooled one, the relay's among them.
        var db = System.Get<Db>();
        var connections = new List<MySqlConnection>();
        try
        {
            for (var i = 0; i < 50; i++)
            {
                connections.Add(await db.OpenAsync(CancellationToken.None));
            }
            foreach (var connection in connections)
            {
                Assert.That(await connection.ExecuteScalarAsync<string>("SELECT @@SESSION.tx_isolation"), Is.EqualTo("REPEATABLE-READ"));
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
