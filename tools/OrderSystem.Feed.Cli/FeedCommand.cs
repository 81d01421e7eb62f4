using System.Globalization;
using OrderSystem.Feed.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Feed.Cli;

/// <summary>
/// feed export --from &lt;sequence|timestamp|first&gt; [--to &lt;sequence|timestamp&gt;] --format jsonl [--out FILE]
///              [--amqp URI] [--idle-ms N]
/// Reads the stream orders.changelog, drops re-published repeats, stops with exit code 3 at a gap, writes one event per
/// line. Without --to it stops once nothing new came for --idle-ms (default 3000).
/// </summary>
internal static class FeedCommand
{
    private const string Usage =
        "usage: feed export --from <sequence|timestamp|first> [--to <sequence|timestamp>] --format jsonl [--out FILE] [--amqp URI] [--idle-ms N]";

    /// <summary>Exit codes: 0 done, 2 usage, 3 a gap in the feed, 4 no broker or no stream there.</summary>
    public static async Task<int> Main(string[] args)
    {
        try
        {
            return await ExportAsync(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"feed: {e.Message}{Environment.NewLine}{Usage}");
            return 2;
        }
        catch (OperationInterruptedException e)
        {
            await Console.Error.WriteLineAsync(e.ShutdownReason?.ReplyCode == 404
                ? "feed: the broker has no stream orders.changelog in that virtual host. Is the feed on (Feed:Enabled), and is " +
                  "--amqp the product's broker and virtual host?"
                : $"feed: the broker refused: {e.ShutdownReason?.ReplyText ?? e.Message}. Check --amqp.");
            return 4;
        }
        catch (BrokerUnreachableException e)
        {
            await Console.Error.WriteLineAsync($"feed: the broker cannot be reached ({e.InnerException?.Message ?? e.Message}). Check --amqp.");
            return 4;
        }
    }

    private static async Task<int> ExportAsync(string[] args)
    {
        if (args is not ["export", ..] || Option(args, "--format", "jsonl") != "jsonl" || Option(args, "--from", null) is not { } from)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        var amqp = new Uri(Option(args, "--amqp", null) ?? Environment.GetEnvironmentVariable("FEED_AMQP") ?? "amqp://ordersystem:ordersystem@127.0.0.1:5682/%2F");
        var idle = TimeSpan.FromMilliseconds(int.Parse(Option(args, "--idle-ms", "3000")!, CultureInfo.InvariantCulture));
        var (fromSequence, fromTime) = Bound(from);
        var (toSequence, toTime) = Option(args, "--to", null) is { } to ? Bound(to) : (null, null);
        // Each sequence first went out after every lower one, so its first copy sits at stream offset sequence - 1 or later:
        // attaching there skips nothing. Should the guess overshoot (a stream declared again starts its offsets at 0),
        // read from the first retained event instead.
        var guessed = fromTime is null && fromSequence > 1;
        var start = fromTime is { } t ? StreamStart.At(t) : guessed ? StreamStart.AtOffset(fromSequence!.Value - 1) : StreamStart.First;

        await using var output = Option(args, "--out", null) is { } path ? new StreamWriter(path) : new StreamWriter(Console.OpenStandardOutput());
        var reader = await ChangelogReader.OpenAsync(amqp, start);
        var check = new SequenceCheck(0);
        var written = 0L;
        try
        {
            while (true)
            {
                var delivery = await reader.ReadAsync(idle);
                if (guessed && (delivery is null || delivery.Event.Sequence > fromSequence))
                {
                    await reader.DisposeAsync();
                    reader = await ChangelogReader.OpenAsync(amqp, StreamStart.First);
                    guessed = false;
                    continue;
                }
                guessed = false;
                if (delivery is null)
                {
                    break;
                }
                var e = delivery.Event;
                if (!check.Accept(e) || e.Sequence < fromSequence || e.OccurredAt < fromTime)
                {
                    continue;
                }
                if (e.Sequence > toSequence || e.OccurredAt > toTime)
                {
                    break;
                }
                await output.WriteLineAsync(e.ToJson());
                written++;
                if (e.Sequence == toSequence)
                {
                    break;
                }
            }
        }
        catch (FeedGapException gap)
        {
            await Console.Error.WriteLineAsync($"feed: {gap.Message} Wrote {written} events before it.");
            return 3;
        }
        finally
        {
            await reader.DisposeAsync();
        }
        await Console.Error.WriteLineAsync($"feed: wrote {written} events, through sequence {check.LastSeen}.");
        return 0;
    }

    private static (long? Sequence, DateTime? Time) Bound(string value) =>
        value == "first" ? (null, null)
        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? (sequence, null)
        : (null, DateTime.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));

    private static string? Option(string[] args, string name, string? fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
