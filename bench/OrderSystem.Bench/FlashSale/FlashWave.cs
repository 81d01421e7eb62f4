using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace OrderSystem.Bench.FlashSale;

/// <summary>What a wave sent: each answer's status and latency, and how long the sending took.</summary>
internal sealed record WaveAnswers(IReadOnlyList<(HttpStatusCode Status, double Ms)> Answers, double SendingSeconds);

/// <summary>
/// The wave's admission requests, each from a random user of the crowd, over Bench:FlashConcurrency connections: either
/// an arrival rate (open loop, the "200,000 requests in 10 s"), or senders in a closed loop. A control wave sends
/// the same requests to GET /health/live instead (Bench:FlashControl).
/// </summary>
internal sealed class FlashWave(string baseUrl, int connections, int users, bool control = false)
{
    /// <summary>
    /// Request i is due at from + i / rate whatever the earlier answers, and its latency counts from that moment, not from
    /// when it left: a host (or a load generator) that falls behind shows as latency, not as a lower rate (no coordinated
    /// omission). Requests wait for a free connection in the client's queue, as they would behind a proxy.
    /// </summary>
    public async Task<WaveAnswers> OpenLoopAsync(string saleId, double rate, DateTime from, TimeSpan length, CancellationToken ct)
    {
        using var http = Client();
        var total = (int)(rate * length.TotalSeconds);
        var answers = new (HttpStatusCode, double)[total];
        var sends = new List<Task>(total);
        var random = new Random(17);
        var path = $"api/flash-sales/{saleId}/orders";
        await DelayUntilAsync(from, ct);
        var start = Stopwatch.GetTimestamp();
        var ticksPerRequest = Stopwatch.Frequency / rate;
        for (var i = 0; i < total;)
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
            for (; i < due; i++)
            {
                sends.Add(SendAsync(http, path, random.Next(users), start + (long)(i * ticksPerRequest), answers, i, ct));
            }
            if (i < total)
            {
                await Task.Delay(1, ct); // the next requests fall due; the timer's granularity only bunches them by a millisecond or two
            }
        }
        var sending = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await Task.WhenAll(sends);
        return new WaveAnswers(answers, sending);
    }

    /// <summary>Senders in a closed loop until the wave ends: the host's answers pace them, so the cores stay full whatever it answers.</summary>
    public async Task<WaveAnswers> ClosedLoopAsync(string saleId, DateTime from, DateTime until, CancellationToken ct)
    {
        using var http = Client();
        var answers = new ConcurrentBag<(HttpStatusCode, double)>();
        var path = $"api/flash-sales/{saleId}/orders";
        await DelayUntilAsync(from, ct);
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(sender => Task.Run(async () =>
        {
            var random = new Random(sender);
            var one = new (HttpStatusCode, double)[1];
            while (DateTime.UtcNow < until)
            {
                await SendAsync(http, path, random.Next(users), Stopwatch.GetTimestamp(), one, 0, ct);
                answers.Add(one[0]);
            }
        }, ct)));
        return new WaveAnswers([.. answers], Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private async Task SendAsync(HttpClient http, string path, int user, long scheduled, (HttpStatusCode, double)[] answers, int index, CancellationToken ct)
    {
        try
        {
            using var response = control
                ? await http.GetAsync("health/live", ct)
                : await http.PostAsync(path, new StringContent($$"""{"userId":"crowd-{{user}}","quantity":1}""", Encoding.UTF8, "application/json"), ct);
            answers[index] = (response.StatusCode, Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            answers[index] = (HttpStatusCode.ServiceUnavailable, Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds);
        }
    }

    private HttpClient Client() => new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30),
    };

    private static async Task DelayUntilAsync(DateTime at, CancellationToken ct)
    {
        var wait = at - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct); // a phase that starts at a moment
        }
    }
}
