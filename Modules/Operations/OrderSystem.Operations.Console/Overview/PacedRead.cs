using System.Diagnostics;

namespace OrderSystem.Operations.Console.Overview;

/// <summary>
/// A read whose cost grows with a table (counting by status reads a whole index: 0.2-0.4 s at a million orders), done
/// again only once its last result is ten times as old as that read took. So it never takes more than a tenth of one
/// connection's time, whatever the table's size; on a small table it is fresh at every sample. Only the sampler calls
/// it, one sample at a time.
/// </summary>
internal sealed class PacedRead<T>(Func<CancellationToken, Task<T>> read) where T : class
{
    private const int Pace = 10;

    private T? _last;
    private TimeSpan _took;

    /// <summary>When the result returned last was read.</summary>
    public DateTime? ReadAt { get; private set; }

    public async Task<T> GetAsync(DateTime now, CancellationToken ct)
    {
        if (_last is not null && now - ReadAt < _took * Pace)
        {
            return _last;
        }
        var started = Stopwatch.GetTimestamp();
        _last = await read(ct);
        (ReadAt, _took) = (now, Stopwatch.GetElapsedTime(started));
        return _last;
    }
}
