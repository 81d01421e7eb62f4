using Dapper;
using MySqlConnector;

namespace OrderSystem.Bench.Outbox;

/// <summary>
/// Samples Order's outbox backlog (rows written but not yet confirmed by the broker) every 100 ms during a run, through the
/// relay's own pending index; the peak says how far the relay fell behind the payments.
/// </summary>
internal sealed class BacklogSampler : IAsyncDisposable
{
    private const string PendingSql = "SELECT COUNT(*) FROM order_outbox WHERE dispatched_at IS NULL";

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public BacklogSampler(string connectionString) => _loop = SampleAsync(connectionString);

    public long Peak => Interlocked.Read(ref _peak);

    private async Task SampleAsync(string connectionString)
    {
        try
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(_stop.Token);
            while (!_stop.IsCancellationRequested)
            {
                var pending = await connection.ExecuteScalarAsync<long>(new CommandDefinition(PendingSql, cancellationToken: _stop.Token));
                if (pending > Peak)
                {
                    Interlocked.Exchange(ref _peak, pending);
                }
                await Task.Delay(100, _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
