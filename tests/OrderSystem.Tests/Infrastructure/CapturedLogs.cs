using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// A logger provider added to the running host: records each log line with its structured values and those of its
/// scopes (trace id, order id, message id), as the JSON console would write them.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private const int Keep = 20_000; // the newest lines only: the provider stays on the shared host for the whole run
    private readonly ConcurrentQueue<LogRecord> _records = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<LogRecord> Records => [.. _records];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    internal sealed record LogRecord(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, string> Values, string? Exception)
    {
        public string? this[string name] => Values.GetValueOrDefault(name);

        /// <summary>Everything this line would put in a log file.</summary>
        public string FullText => $"{Message} {string.Join(" ", Values.Select(v => $"{v.Key}={v.Value}"))} {Exception}";
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new Dictionary<string, string>();
            Collect(state, values);
            owner._scopes.ForEachScope((scope, collected) => Collect(scope, collected), values);
            owner._records.Enqueue(new LogRecord(category, logLevel, formatter(state, exception), values, exception?.ToString()));
            while (owner._records.Count > Keep && owner._records.TryDequeue(out var _))
            {
            }
        }

        private static void Collect(object? state, Dictionary<string, string> values)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    values[key] = value?.ToString() ?? "";
                }
            }
            else if (state is not null)
            {
                values["Scope" + values.Count] = state.ToString() ?? "";
            }
        }
    }
}
