using System.Globalization;

namespace OrderSystem.Analytics;

/// <summary>
/// The reference consumer of the order feed (docs/feed.md):
///   analytics setup &lt;admin-connection-string&gt; &lt;database&gt; &lt;user&gt; &lt;password&gt;   the reporting database and its user
///   analytics run &lt;connection-string&gt; &lt;amqp-uri&gt; [--stop-when-idle-ms N]     keep the reporting tables from the feed
/// </summary>
internal static class AnalyticsCommand
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["setup", var admin, var database, var user, var password])
        {
            await AnalyticsDatabase.SetUpAsync(admin, database, user, password);
            Console.WriteLine($"Database {database} and user {user} are ready.");
            return 0;
        }
        if (args is ["run", var connection, var feed, ..])
        {
            TimeSpan? idle = args is [_, _, _, "--stop-when-idle-ms", var ms] ? TimeSpan.FromMilliseconds(int.Parse(ms, CultureInfo.InvariantCulture)) : null;
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            await new AnalyticsConsumer(connection, new Uri(feed), Console.Error).RunAsync(idle, stop.Token);
            return 0;
        }
        await Console.Error.WriteLineAsync(
            "usage: analytics setup <admin-connection-string> <database> <user> <password>\n" +
            "       analytics run <connection-string> <amqp-uri> [--stop-when-idle-ms N]");
        return 2;
    }
}
