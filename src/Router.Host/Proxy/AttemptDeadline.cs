using System.Diagnostics;

namespace Router.Host.Proxy;

/// <summary>
/// One attempt's time limits on one cancellation source: the call's total limit and, inside it, the limit of the phase
/// under way (the first byte, then each gap of a stream). One source and one timer re-armed per phase, where a source
/// per limit linked to the other cost an attempt a second source, timer and registration (about 300 bytes, bench/README).
/// Also cancelled when the client goes or a graceful stop cuts the answers still under way.
/// </summary>
public sealed class AttemptDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <param name="firstByte">The first phase's limit: until the provider's answer begins.</param>
    public AttemptDeadline(CancellationToken clientGone, CancellationToken stopping, TimeSpan total, TimeSpan firstByte)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(clientGone, stopping);
        Total = total;
        Phase(firstByte);
    }

    public CancellationToken Token => _source.Token;

    public TimeSpan Total { get; }

    /// <summary>Whether the limit armed last is the total's: the phase's own was longer than what the total had left.</summary>
    public bool TotalArmed { get; private set; }

    /// <summary>A new phase with its own limit, cut short by what is left of the total.</summary>
    public void Phase(TimeSpan limit)
    {
        var left = Total - Stopwatch.GetElapsedTime(_started);
        TotalArmed = left <= limit;
        _source.CancelAfter(TotalArmed ? Clamp(left) : limit);
    }

    /// <summary>No phase limit from now on: only what is left of the total (reading a whole answer).</summary>
    public void TotalOnly()
    {
        TotalArmed = true;
        _source.CancelAfter(Clamp(Total - Stopwatch.GetElapsedTime(_started)));
    }

    private static TimeSpan Clamp(TimeSpan left) => left > TimeSpan.Zero ? left : TimeSpan.Zero;

    public void Dispose() => _source.Dispose();
}
