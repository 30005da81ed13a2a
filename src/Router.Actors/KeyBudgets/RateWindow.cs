using System.Numerics;

namespace Router.Actors.KeyBudgets;

/// <summary>A key's requests and tokens in the last minute, against its RPM and TPM limits. Immutable: each change is a new window.</summary>
internal sealed class RateWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    public static readonly RateWindow Empty = new(default, default, 0, 0);

    // Each request's time and each answer's time and tokens, those close in time merged (TimedLog). Not immutable
    // queues: those cost two objects per request of the last minute (136,000 at 2,000 requests a second, bench/README.md, issue 24).
    private readonly TimedLog<int> _requests;
    private readonly TimedLog<long> _tokens;

    private RateWindow(TimedLog<int> requests, TimedLog<long> tokens, int requestCount, long tokenCount)
    {
        _requests = requests;
        _tokens = tokens;
        Requests = requestCount;
        Tokens = tokenCount;
    }

    public int Requests { get; }

    public long Tokens { get; }

    /// <summary>Whether this is its key's latest window, whose next request or tokens are written in place, not copied.</summary>
    public bool IsNewest => _requests.IsNewest && _tokens.IsNewest;

    /// <summary>Entries held for the last minute's requests and tokens: bounded by the window over <see cref="TimedLog{T}.MergeWithin"/>, whatever the rate.</summary>
    public int Entries => _requests.Entries + _tokens.Entries;

    public RateWindow WithRequest(DateTimeOffset at) => new(_requests.With(at, 1), _tokens, Requests + 1, Tokens);

    public RateWindow WithTokens(DateTimeOffset at, long tokens) => new(_requests, _tokens.With(at, tokens), Requests, Tokens + tokens);

    /// <summary>The window at <paramref name="now"/>: without the requests and tokens older than its length.</summary>
    public RateWindow Slid(DateTimeOffset now)
    {
        var (requests, requestCount) = Slid(_requests, Requests, now);
        var (tokens, tokenCount) = Slid(_tokens, Tokens, now);
        return requests.Entries == _requests.Entries && tokens.Entries == _tokens.Entries ? this : new RateWindow(requests, tokens, requestCount, tokenCount);
    }

    /// <summary>A log and its total without the entries older than the window.</summary>
    private static (TimedLog<T> Log, T Total) Slid<T>(TimedLog<T> log, T total, DateTimeOffset now) where T : struct, INumber<T>
    {
        while (!log.IsEmpty && now - log.Oldest.At >= Length)
        {
            total -= log.Oldest.Amount;
            log = log.WithoutOldest();
        }
        return (log, total);
    }

    /// <summary>When the oldest request leaves the window; a whole window when there is none (a limit of 0).</summary>
    public TimeSpan RequestsFreeIn(DateTimeOffset now) => !_requests.IsEmpty ? FreeIn(_requests.Oldest.At, now) : Length;

    /// <summary>When the oldest tokens leave the window; a whole window when only reservations fill it.</summary>
    public TimeSpan TokensFreeIn(DateTimeOffset now) => !_tokens.IsEmpty ? FreeIn(_tokens.Oldest.At, now) : Length;

    private static TimeSpan FreeIn(DateTimeOffset oldest, DateTimeOffset now) =>
        oldest + Length - now is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
}
