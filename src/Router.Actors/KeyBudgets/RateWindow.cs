using System.Collections.Immutable;

namespace Router.Actors.KeyBudgets;

/// <summary>A key's requests and tokens in the last minute, against its RPM and TPM limits. Immutable: each change is a new window.</summary>
internal sealed class RateWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    public static readonly RateWindow Empty = new(ImmutableQueue<DateTimeOffset>.Empty, ImmutableQueue<(DateTimeOffset, long)>.Empty, 0, 0);

    private readonly ImmutableQueue<DateTimeOffset> _requests;
    private readonly ImmutableQueue<(DateTimeOffset At, long Tokens)> _tokens;

    private RateWindow(ImmutableQueue<DateTimeOffset> requests, ImmutableQueue<(DateTimeOffset At, long Tokens)> tokens, int requestCount, long tokenCount)
    {
        _requests = requests;
        _tokens = tokens;
        Requests = requestCount;
        Tokens = tokenCount;
    }

    public int Requests { get; }

    public long Tokens { get; }

    public RateWindow WithRequest(DateTimeOffset at) => new(_requests.Enqueue(at), _tokens, Requests + 1, Tokens);

    public RateWindow WithTokens(DateTimeOffset at, long tokens) => new(_requests, _tokens.Enqueue((at, tokens)), Requests, Tokens + tokens);

    /// <summary>The window at <paramref name="now"/>: without the requests and tokens older than its length.</summary>
    public RateWindow Slid(DateTimeOffset now)
    {
        var (requests, requestCount) = (_requests, Requests);
        while (!requests.IsEmpty && now - requests.Peek() >= Length)
        {
            requests = requests.Dequeue();
            requestCount--;
        }
        var (tokens, tokenCount) = (_tokens, Tokens);
        while (!tokens.IsEmpty && now - tokens.Peek().At >= Length)
        {
            tokenCount -= tokens.Peek().Tokens;
            tokens = tokens.Dequeue();
        }
        return requestCount == Requests && ReferenceEquals(tokens, _tokens) ? this : new RateWindow(requests, tokens, requestCount, tokenCount);
    }

    /// <summary>When the oldest request leaves the window (there is one: the limit was reached).</summary>
    public TimeSpan RequestsFreeIn(DateTimeOffset now) => FreeIn(_requests.Peek(), now);

    /// <summary>When the oldest tokens leave the window; a whole window when only reservations fill it.</summary>
    public TimeSpan TokensFreeIn(DateTimeOffset now) => !_tokens.IsEmpty ? FreeIn(_tokens.Peek().At, now) : Length;

    private static TimeSpan FreeIn(DateTimeOffset oldest, DateTimeOffset now) =>
        oldest + Length - now is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
}
