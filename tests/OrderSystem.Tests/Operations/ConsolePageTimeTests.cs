using System.Diagnostics;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using OrderSystem.Operations.Console.Overview;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Operations;

/// <summary>
/// Issue 19: with 1,000,000 orders in the database every console page answers in 1 s or less (p95). The orders are
/// seeded in SQL from MariaDB's sequence engine (about 15 s); the pages are fetched over HTTP, signed in, by Playwright's
/// request context (no browser needed). The times are written to the test's output (docs/performance.md records them).
/// </summary>
[Category("Slow")]
[NonParallelizable]
public sealed class ConsolePageTimeTests
{
    private const int Orders = 1_000_000;
    private const int Requests = 20;
    private const string Password = "page-time-password";

    [Test]
    public async Task Every_console_page_answers_within_a_second_at_p95_with_a_million_orders()
    {
        await using var system = await TestSystem.StartAsync("console1m", kestrel: true, settings: new Dictionary<string, string>
        {
            ["Ops:Password"] = Password,
            ["Ops:SampleIntervalMs"] = "1000",
        });
        try
        {
            var seeding = Stopwatch.StartNew();
            await using (var connection = await system.OpenAsync())
            {
                await SeedAsync(connection);
            }
            TestContext.Out.WriteLine($"seeded {Orders:N0} orders in {seeding.Elapsed.TotalSeconds:0.0} s");
            using var playwright = await Playwright.CreateAsync();
            var http = await playwright.APIRequest.NewContextAsync(new() { BaseURL = system.BaseAddress!.ToString().TrimEnd('/') });
            await SignInAsync(http);
            var latest = Id(Orders);
            var pages = new[]
            {
                "/ops", "/ops/api/overview", "/ops/orders?q=u-4242", "/ops/orders?q=pay-777777", $"/ops/orders/{latest}",
                $"/ops/orders/{Id(123_457)}", "/ops/failures", "/ops/audit",
            };

            var p95s = new Dictionary<string, double>();
            foreach (var page in pages)
            {
                var times = new List<double>();
                for (var i = 0; i <= Requests; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    var response = await http.GetAsync(page, new() { MaxRedirects = 0 });
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    Assert.That(response.Status, Is.EqualTo(200), page);
                    if (i > 0)
                    {
                        times.Add(ms); // the first request of each page warms its code path
                    }
                }
                p95s[page] = P95(times);
                TestContext.Out.WriteLine($"{page}: p50 {times.Order().ElementAt(times.Count / 2):0.0} ms, p95 {p95s[page]:0.0} ms");
            }
            // The overview's JSON mostly answers from the last sample; a request that finds it stale takes one first.
            var sampler = system.Get<OverviewSampler>();
            var samples = new List<double>();
            for (var i = 0; i < Requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await sampler.SampleAsync(CancellationToken.None);
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            TestContext.Out.WriteLine($"an overview sample: p50 {samples.Order().ElementAt(Requests / 2):0.0} ms, p95 {P95(samples):0.0} ms, " +
                $"max {samples.Max():0.0} ms (the first counts orders by status)");
            TestContext.Out.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");

            Assert.That(p95s, Has.All.Matches<KeyValuePair<string, double>>(p => p.Value <= 1000), string.Join("; ", p95s));
            Assert.That(P95(samples), Is.LessThanOrEqualTo(1000), "an overview sample");
            await http.DisposeAsync();
        }
        finally
        {
            // A million rows less on the test server's disk, and a fast reset for the next run.
            await using var connection = await system.OpenAsync();
            await connection.ExecuteAsync("TRUNCATE TABLE order_orders; TRUNCATE TABLE order_fulfillment; TRUNCATE TABLE feed_events");
        }
    }

    // Version-7-like ids that sort by creation, as real order ids do.
    private static string Id(int n) => $"{n:x8}-0000-7000-8000-{n:x12}";

    private static double P95(List<double> times) => times.Order().ElementAt((int)Math.Ceiling(0.95 * times.Count) - 1);

    private static async Task SeedAsync(MySqlConnector.MySqlConnection connection)
    {
        // 95% paid, 5% unpaid with windows ending 10-70 minutes from now (the closer must not expire one: its feed event
        // would meet the seeded one); 50,000 users. The newest 10,000 have their steps
        // done and their feed events, as a live system's recent orders would.
        var args = new { Orders, Recent = Id(Orders - 10_000) };
        // 100,000 rows a statement: one insert of a million exceeds the lock table of the test server's 256 MB buffer pool.
        for (var from = 1; from <= Orders; from += 100_000)
        {
            await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO order_orders (id, user_id, status, total_amount, payment_id, created_at, paid_at, expires_at)
            SELECT {IdSql}, CONCAT('u-', seq MOD 50000),
                   IF(seq MOD 20 = 0, 'Created', 'Paid'), 19.90, IF(seq MOD 20 = 0, NULL, CONCAT('pay-', seq)),
                   UTC_TIMESTAMP(6) - INTERVAL (@Orders - seq) SECOND,
                   IF(seq MOD 20 = 0, NULL, UTC_TIMESTAMP(6) - INTERVAL (@Orders - seq) SECOND + INTERVAL 1 SECOND),
                   IF(seq MOD 20 = 0, UTC_TIMESTAMP(6) + INTERVAL (600 + seq MOD 3600) SECOND, UTC_TIMESTAMP(6) - INTERVAL (@Orders - seq) SECOND + INTERVAL 30 MINUTE)
            FROM seq_1_to_{Orders} WHERE seq BETWEEN @From AND @From + 99999
            """, new { Orders, From = from }, commandTimeout: 300));
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO order_fulfillment (order_id, step, status, at)
            SELECT o.id, s.step, 'Done', o.paid_at + INTERVAL (50 + s.n * 40) * 1000 MICROSECOND
            FROM order_orders o
            CROSS JOIN (SELECT 'points' AS step, 1 AS n UNION ALL SELECT 'coupon', 2 UNION ALL SELECT 'sms', 3 UNION ALL SELECT 'shipment', 4) s
            WHERE o.id > @Recent AND o.paid_at IS NOT NULL
            """, args, commandTimeout: 300));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO feed_events (sequence, order_id, version, type, occurred_at, source_position, body, sequenced_at)
            SELECT 10000000 + ROW_NUMBER() OVER (ORDER BY id), id, 1, 'OrderCreated', created_at, 0,
                   JSON_OBJECT('sequence', 0, 'orderId', id, 'version', 1, 'type', 'OrderCreated', 'occurredAt', '2026-12-01T00:00:00Z',
                               'order', JSON_OBJECT('orderId', id, 'userId', user_id, 'status', 'Created', 'totalAmount', 19.90,
                                                    'items', JSON_ARRAY(), 'createdAt', '2026-12-01T00:00:00Z', 'expiresAt', '2026-12-01T00:30:00Z')),
                   UTC_TIMESTAMP(6)
            FROM order_orders WHERE id > @Recent
            """, args, commandTimeout: 300));
        await connection.ExecuteAsync(new CommandDefinition("ANALYZE TABLE order_orders, order_fulfillment, feed_events", commandTimeout: 300));
    }

    // The same ids in SQL: LOWER(HEX(seq)) padded, as Id(seq) writes them.
    private const string IdSql = "CONCAT(LPAD(LOWER(HEX(seq)), 8, '0'), '-0000-7000-8000-', LPAD(LOWER(HEX(seq)), 12, '0'))";

    private static async Task SignInAsync(IAPIRequestContext http)
    {
        var login = await (await http.GetAsync("/ops/login")).TextAsync();
        var token = Regex.Match(login, "__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        var form = http.CreateFormData();
        form.Set("Operator", "page-timer");
        form.Set("Password", Password);
        form.Set("__RequestVerificationToken", token);
        var signedIn = await http.PostAsync("/ops/login", new() { Form = form, MaxRedirects = 0 });
        Assert.That(signedIn.Status, Is.EqualTo(302), await signedIn.TextAsync());
    }
}
