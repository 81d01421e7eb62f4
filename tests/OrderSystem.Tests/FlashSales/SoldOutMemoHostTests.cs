using System.Diagnostics.Metrics;
using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.FlashSales;

/// <summary>
/// A host that heard the store say "sold out" refuses that sale by itself (FlashSales:SoldOutMemoMs, a minute in this
/// system of its own so that nothing here depends on timing), and a unit given back through it is offered at once.
/// </summary>
[NonParallelizable] // counts the process's admission decisions
public sealed class SoldOutMemoHostTests
{
    private TestSystem _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _system = await FlashSaleApi.StartSystemWithEmptyStoreAsync("flashmemo", new Dictionary<string, string> { ["FlashSales:SoldOutMemoMs"] = "60000" });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    public async Task After_the_store_says_sold_out_the_host_refuses_by_itself_until_a_unit_comes_back_through_it()
    {
        var sku = SystemTest.Fresh("SKU");
        await _system.Api.PutProductAsync(sku, 1.00m, 1);
        Assert.That((await _system.Api.DefineAsync("memo", sku, units: 1)).Status, Is.EqualTo(HttpStatusCode.OK));
        var winner = FlashSaleApi.TicketOf(await _system.Api.RequestAsync("memo", "winner"));
        using var decisions = new AdmissionDecisions();

        var refused = new List<Reply>();
        for (var i = 0; i < 20; i++)
        {
            refused.Add(await _system.Api.RequestAsync("memo", $"late-{i}"));
        }

        Assert.That(refused.Select(r => (r.Status, r.Json["type"]!.GetValue<string>())), Is.All.EqualTo((HttpStatusCode.Conflict, FlashSaleApi.Problem + "sold-out")));
        Assert.That(decisions.Of("sold-out"), Is.EqualTo((Store: 1, Host: 19)), "the first refusal asks the store, the rest are the host's");

        await _system.Api.WaitUntilWrittenAsync("memo", [winner]);
        await FlashSaleTest.ExpireAsync(_system, winner);
        await Eventually.Until(() => _system.Api.RemainingAsync("memo"), n => n == 1, TimeSpan.FromSeconds(15), "the unit to come back to the sale");
        var again = await _system.Api.RequestAsync("memo", "patient");

        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.Accepted), "the unit came back through this host: offered at once, not a minute later: " + again);
        await _system.Api.WaitUntilWrittenAsync("memo", [FlashSaleApi.TicketOf(again)]);
        await _system.Api.WaitUntilReconciledAsync();
    }

    /// <summary>The process's flash sale admission decisions while it lives, by outcome and by who decided.</summary>
    private sealed class AdmissionDecisions : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Outcome, string DecidedBy)> _seen = [];

        public AdmissionDecisions()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "ordersystem.flashsales.admissions")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? outcome = null, decidedBy = null;
                foreach (var tag in tags)
                {
                    outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
                    decidedBy = tag.Key == "decided_by" ? tag.Value as string : decidedBy;
                }
                lock (_seen)
                {
                    _seen.Add((outcome ?? "", decidedBy ?? ""));
                }
            });
            _listener.Start();
        }

        public (int Store, int Host) Of(string outcome)
        {
            lock (_seen)
            {
                return (_seen.Count(d => d == (outcome, "store")), _seen.Count(d => d == (outcome, "host")));
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
