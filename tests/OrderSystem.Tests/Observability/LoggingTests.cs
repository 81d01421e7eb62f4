using System.Net;
using Microsoft.Extensions.Logging;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Observability;

public sealed class LoggingTests : SystemTest
{
    private static readonly Lazy<CapturedLogs> Logs = new(() =>
    {
        var logs = new CapturedLogs();
        System.Get<ILoggerFactory>().AddProvider(logs);
        return logs;
    });

    [Test]
    public async Task Log_lines_of_one_order_carry_its_order_id_message_ids_and_one_trace_id()
    {
        var logs = Logs.Value;
        var sku = await NewProductAsync();
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        Assert.That((await Api.PayAsync(orderId, "pay-log", total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await WaitUntilFulfilledAsync(orderId);

        var lines = await Eventually.Until(() => Task.FromResult(logs.Records.Where(r => r["OrderId"] == orderId).ToList()),
            l => l.Count(r => r.Message.StartsWith("Handled", StringComparison.Ordinal)) >= 4, TimeSpan.FromSeconds(10),
            "a line for each module's handling of the order's OrderPaid");

        var payment = lines.Single(r => r.Message.StartsWith("Payment callback", StringComparison.Ordinal));
        Assert.That(payment.Message, Does.Contain("answered paid"));
        var handled = lines.Where(r => r.Message.StartsWith("Handled", StringComparison.Ordinal)).ToList();
        Assert.That(handled.Select(r => r["Module"]).Distinct(), Is.EquivalentTo(new[] { "points", "marketing", "push", "warehouse" }));
        Assert.That(handled.Select(r => Guid.TryParse(r["MessageId"], out _)), Has.All.True, "a message id on every handled line");
        // Order runs in this process, so the modules record their steps in its view: no completion event to handle.
        Assert.That(handled.Select(r => r["MessageId"]).Distinct().Count(), Is.EqualTo(1), "one OrderPaid");
        Assert.That(lines.Select(r => r["TraceId"]), Has.All.Not.Null.And.All.Length.EqualTo(32));
        Assert.That(lines.Select(r => r["TraceId"]).Distinct(), Has.Exactly(1).Items, "the whole journey is one trace");
    }

    [Test]
    public async Task Logs_never_contain_the_callback_secret_the_admin_key_a_signature_or_a_password()
    {
        var logs = Logs.Value;
        var sku = await NewProductAsync();
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        var body = $$"""{"paymentId":"pay-secret","amount":{{total}}}""";
        var signature = Api.Sign(body);
        Assert.That((await Api.PayRawAsync(orderId, body, "sha256=" + new string('0', 64))).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await Api.PutProductAsync(sku, 1m, 1, adminKey: "wrong-key")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await Api.PayRawAsync(orderId, body, signature)).Status, Is.EqualTo(HttpStatusCode.OK));
        await WaitUntilFulfilledAsync(orderId);
        await Eventually.Until(() => Task.FromResult(logs.Records.Count(r => r["OrderId"] == orderId &&
                r.Message.StartsWith("Handled", StringComparison.Ordinal))), n => n >= 4,
            TimeSpan.FromSeconds(10), "the order's log lines, down to the four modules' handling");

        var text = string.Join("\n", logs.Records.Select(r => r.FullText));
        Assert.That(text, Does.Contain(orderId), "the capture saw this test's lines");
        Assert.That(text, Does.Not.Contain(TestSettings.CallbackSecret));
        Assert.That(text, Does.Not.Contain(TestSettings.AdminKey));
        Assert.That(text, Does.Not.Contain("wrong-key"));
        Assert.That(text, Does.Not.Contain(signature[7..]), "the signature of a real callback");
        Assert.That(text, Does.Not.Contain("Password=").IgnoreCase);
    }
}
