namespace Router.Actors.KeyBudgets;

/// <summary>A key's requests and tokens in the last minute, against its RPM and TPM limits.</summary>
internal sealed class RateWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    private readonly Queue<DateTimeOffset> _requests = new();
    private readonly Queue<(DateTimeOffset At, long Tokens)> _tokens = new();

    public int Requests => _requests.Count;

    public long Tokens { get; private set; }

    public void AddRequest(DateTimeOffset at) => _requests.Enqueue(at);

    public void AddTokens(DateTimeOffset at, long tokens)
    {
        _tokens.Enqueue((at, tokens));
        Tokens += tokens;
    }

    /// <summary>Drops requests and tokens older than the window.</summary>
    public void Slide(DateTimeOffset now)
    {
        while (_requests.Count > 0 && now - _requests.Peek() >= Length) _requests.Dequeue();
        while (_tokens.Count > 0 && now - _tokens.Peek().At >= Length) Tokens -= _tokens.Dequeue().Tokens;
    }

    /// <summary>When the oldest request leaves the window (there is one: the limit was reached).</summary>
    public TimeSpan RequestsFreeIn(DateTimeOffset now) => FreeIn(_requests.Peek(), now);

    /// <summary>When the oldest tokens leave the window; a whole window when only reservations fill it.</summary>
    public TimeSpan TokensFreeIn(DateTimeOffset now) => _tokens.Count > 0 ? FreeIn(_tokens.Peek().At, now) : Length;

    private static TimeSpan FreeIn(DateTimeOffset oldest, DateTimeOffset now) =>
        oldest + Length - now is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
}
