using System.Collections;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>Polls an asynchronous outcome instead of sleeping a fixed time.</summary>
internal static class Eventually
{
    /// <param name="explain">More to say when it times out (what else was going on).</param>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what,
        Func<Task<string>>? explain = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                var more = explain is null ? "" : "\n" + await explain();
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last value: {Describe(value)}{more}");
            }
            await Task.Delay(50);
        }
    }

    private static string Describe(object? value) => value switch
    {
        IDictionary dictionary => "{" + string.Join(", ", dictionary.Keys.Cast<object>().Select(k => $"{k}={dictionary[k]}")) + "}",
        _ => value?.ToString() ?? "null",
    };
}
