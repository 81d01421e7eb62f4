using System.Diagnostics;

namespace OrderSystem.Bench.Load;

/// <summary>
/// A live progress bar on stderr: redrawn in place on a terminal, one line every few seconds when output goes to a file or CI.
/// </summary>
internal sealed class Progress : IDisposable
{
    private const int Width = 30;
    private readonly string _label;
    private readonly int _total;
    private readonly Func<int> _done;
    private readonly Func<int> _errors;
    private readonly Stopwatch _clock;
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private readonly Timer _timer;
    private int _finished;

    public Progress(string label, int total, Func<int> done, Func<int> errors, Stopwatch clock)
    {
        (_label, _total, _done, _errors, _clock) = (label, total, done, errors, clock);
        var period = _interactive ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5);
        _timer = new Timer(_ => Draw(final: false), null, period, period);
    }

    public void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            _timer.Dispose();
            Draw(final: true);
        }
    }

    public void Dispose() => Finish();

    private void Draw(bool final)
    {
        if (!final && Volatile.Read(ref _finished) == 1)
        {
            return;
        }
        var done = _done();
        var fraction = _total == 0 ? 1 : Math.Min(1, (double)done / _total);
        var filled = (int)Math.Round(fraction * Width);
        var rate = done / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var line = $"  {_label,-22} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0} " +
                   $"{done,7:N0}/{_total:N0}  {rate,7:N0}/s  errors {_errors():N0}  {_clock.Elapsed.TotalSeconds,5:0.0}s";
        lock (Console.Error)
        {
            Console.Error.Write(_interactive ? "\r" + line + (final ? Environment.NewLine : "") : line + Environment.NewLine);
        }
    }
}
