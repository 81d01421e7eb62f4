using System.Collections;
using System.Diagnostics;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// What the host's OpenTelemetry in-memory exporter received. The exporter adds from many threads while a test reads,
/// so every access takes the lock. Only the most recent spans are kept, so a long or heavy test run (a benchmark
/// through the test host) cannot fill memory with them.
/// </summary>
internal sealed class ExportedSpans : ICollection<Activity>
{
    private const int Keep = 20_000;
    private readonly List<Activity> _spans = [];

    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId)
    {
        lock (_spans)
        {
            return _spans.Where(s => s.TraceId == traceId).ToList();
        }
    }

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    public void Add(Activity item)
    {
        lock (_spans)
        {
            if (_spans.Count >= Keep)
            {
                _spans.RemoveRange(0, Keep / 4);
            }
            _spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (_spans)
        {
            _spans.Clear();
        }
    }

    public int Count
    {
        get
        {
            lock (_spans)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public bool Contains(Activity item) => Snapshot().Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().ToList().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        lock (_spans)
        {
            return _spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
