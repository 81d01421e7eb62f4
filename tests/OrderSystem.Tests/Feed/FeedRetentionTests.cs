using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Feed.Cli;
using OrderSystem.Feed.Contracts;
using OrderSystem.Feed.Retention;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Feed;

/// <summary>
/// Retention, on a system of its own: the stream is declared with the configured age and size caps, feed_events is
/// trimmed to the same age (never an event the broker has not confirmed), and the export starts at a sequence without
/// reading the stream from its start.
/// </summary>
[NonParallelizable]
public sealed class FeedRetentionTests
{
    private TestSystem _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _system = await TestSystem.StartAsync("feedretention", settings: new Dictionary<string, string>
        {
            ["Feed:PollMs"] = "20",
            ["Feed:MaxAgeHours"] = "2",
            ["Feed:MaxBytes"] = "123456789",
            ["Feed:TrimBatchSize"] = "3",
        });
        var sku = await FeedTests.NewProductAsync(_system.Api, 2.50m, 1000);
        for (var i = 0; i < 5; i++)
        {
            var (id, total) = await FeedTests.PlaceAsync(_system.Api, sku, 1);
            await _system.Api.PayAsync(id, $"pay-{id}", total);
        }
        await using var connection = await _system.OpenAsync();
        await Eventually.Until(() => connection.ExecuteScalarAsync<long>("SELECT COALESCE((SELECT published_sequence FROM feed_cursor), 0)"),
            n => n >= 10, TimeSpan.FromSeconds(30), "ten events published");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    public async Task The_stream_is_declared_with_the_configured_age_and_size_caps()
    {
        var stream = await RabbitManagement.For(TestSettings.RabbitManagementUrl).GetFromJsonAsync<JsonObject>(
            $"api/queues/{Uri.EscapeDataString(_system.VirtualHost)}/{Uri.EscapeDataString(FeedStream.Name)}");
        var arguments = stream!["arguments"]!;
        Assert.Multiple(() =>
        {
            Assert.That(arguments["x-queue-type"]!.GetValue<string>(), Is.EqualTo("stream"));
            Assert.That(arguments["x-max-age"]!.GetValue<string>(), Is.EqualTo("2h"));
            Assert.That(arguments["x-max-length-bytes"]!.GetValue<long>(), Is.EqualTo(123456789));
        });
    }

    [Test]
    public async Task Events_older_than_the_retention_are_trimmed_in_batches_and_the_newer_kept()
    {
        await using var connection = await _system.OpenAsync();
        await connection.ExecuteAsync("UPDATE feed_events SET sequenced_at = UTC_TIMESTAMP(6) - INTERVAL 3 HOUR WHERE sequence <= 7");

        var trimmed = await _system.Services.GetRequiredService<FeedTrimmer>().TrimAsync(CancellationToken.None);

        Assert.That(trimmed, Is.EqualTo(7), "in batches of 3: 3, 3 and 1");
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT MIN(sequence) FROM feed_events"), Is.EqualTo(8));
    }

    [Test]
    public async Task Export_from_a_sequence_writes_that_range_and_no_more()
    {
        var file = Path.GetTempFileName();
        try
        {
            var exit = await FeedCommand.Main(["export", "--from", "4", "--to", "8", "--format", "jsonl", "--out", file,
                "--amqp", FeedLog.AmqpUri(_system.VirtualHost).ToString(), "--idle-ms", "2000"]);

            Assert.That(exit, Is.Zero);
            var sequences = File.ReadAllLines(file).Select(l => FeedEvent.FromJson(System.Text.Encoding.UTF8.GetBytes(l)).Sequence);
            Assert.That(sequences, Is.EqualTo(new long[] { 4, 5, 6, 7, 8 }));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
