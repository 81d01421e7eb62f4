using MySqlConnector;

namespace OrderSystem.Feed;

/// <summary>
/// The sequencer's own connection, the one holding the named lock: every feed write goes over it, so a host that lost the
/// lock cannot write. Sequencing and publishing run side by side and take turns on it (a connection runs one command at a
/// time); each turn is a round trip or two.
/// </summary>
internal sealed class LockedConnection(MySqlConnection connection) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<T> UseAsync<T>(Func<MySqlConnection, Task<T>> work, CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        try
        {
            return await work(connection);
        }
        finally
        {
            _turn.Release();
        }
    }

    public Task UseAsync(Func<MySqlConnection, Task> work, CancellationToken ct) =>
        UseAsync(async connection =>
        {
            await work(connection);
            return true;
        }, ct);

    public void Dispose() => _turn.Dispose();
}
