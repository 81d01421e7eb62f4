using Microsoft.Extensions.Configuration;
using OrderSystem.BuildingBlocks.Messaging;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>The retry intervals bound from configuration are the configured ones, not appended to a default.</summary>
public sealed class ConsumerRetryOptionsTests
{
    [Test]
    public void Configured_retry_intervals_replace_the_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:RetryIntervalsMs:0"] = "20",
            ["Messaging:RetryIntervalsMs:1"] = "30",
        }).Build();

        var options = configuration.GetSection("Messaging").Get<ConsumerRetryOptions>()!;

        Assert.That(options.RetryIntervals, Is.EqualTo(new[] { 20, 30 }));
    }

    [Test]
    public void Without_configuration_the_retries_wait_100_500_2000_and_5000_ms()
    {
        var options = new ConfigurationBuilder().Build().GetSection("Messaging").Get<ConsumerRetryOptions>() ?? new ConsumerRetryOptions();

        Assert.That(options.RetryIntervals, Is.EqualTo(new[] { 100, 500, 2000, 5000 }));
    }
}
