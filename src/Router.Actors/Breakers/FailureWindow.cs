namespace Router.Actors.Breakers;

/// <summary>
/// Answered and failed calls over the last <c>window</c>, kept in equal time buckets that roll as the
/// clock moves: a bucket is cleared when the time it covers leaves the window. Nothing runs on a timer;
/// the owner rolls it (with its own clock) before each read or write. Not thread-safe: one actor owns it.
/// </summary>
public sealed class FailureWindow
{
    private readonly long _bucketTicks;
    private readonly int[] _answered;
    private readonly int[] _failed;
    private long _currentBucket = long.MinValue;
    private int _calls;
    private int _failures;

    public FailureWindow(TimeSpan window, int buckets = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _bucketTicks = Math.Max(1, window.Ticks / buckets);
        _answered = new int[buckets];
        _failed = new int[buckets];
    }

    public int Calls => _calls;

    public int Failures => _failures;

    /// <summary>Share of the calls in the window that failed; 0 when there were none.</summary>
    public double FailureRate => _calls == 0 ? 0 : (double)_failures / _calls;

    /// <summary>Clears the buckets whose time has left the window as of <paramref name="now"/>.</summary>
    public void Roll(DateTimeOffset now)
    {
        var bucket = now.UtcTicks / _bucketTicks;
        if (bucket <= _currentBucket) return; // same bucket, or the clock stepped back: keep counting where we are
        if (_currentBucket == long.MinValue || bucket - _currentBucket >= _answered.Length)
        {
            Clear();
        }
        else
        {
            for (var b = _currentBucket + 1; b <= bucket; b++)
            {
                var slot = Slot(b);
                _calls -= _answered[slot] + _failed[slot];
                _failures -= _failed[slot];
                _answered[slot] = 0;
                _failed[slot] = 0;
            }
        }
        _currentBucket = bucket;
    }

    /// <summary>Counts one call in the current bucket, rolling to <paramref name="now"/> first.</summary>
    public void Record(bool failed, DateTimeOffset now)
    {
        Roll(now);
        var slot = Slot(_currentBucket);
        _calls++;
        if (failed)
        {
            _failed[slot]++;
            _failures++;
        }
        else
        {
            _answered[slot]++;
        }
    }

    /// <summary>Forgets every call counted so far.</summary>
    public void Clear()
    {
        Array.Clear(_answered);
        Array.Clear(_failed);
        _calls = 0;
        _failures = 0;
    }

    private int Slot(long bucket) => (int)(((bucket % _answered.Length) + _answered.Length) % _answered.Length);
}
