using System.Text;

namespace Router.Host.RequestLog;

/// <summary>
/// The strings a request log repeats from row to row (key ids, model and provider names, verdicts), each made once: a batch read
/// back from bytes (<see cref="RequestLogEntryCodec"/>) then holds one copy of each, not one a row. Used by one thread at a time.
/// </summary>
public sealed class LogStrings
{
    // Enough for every key, model and deployment a busy router sees between two clears; past it the table starts again rather
    // than grow with values that never come back.
    private const int MaxStrings = 4_096;
    private const int MaxStackChars = 256;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public LogStrings() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The string whose UTF-8 is <paramref name="utf8"/>: the one made before when there was one.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxStackChars) return Encoding.UTF8.GetString(utf8);
        Span<char> chars = stackalloc char[MaxStackChars];
        var text = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (_lookup.TryGetValue(text, out var known)) return known;
        if (_strings.Count >= MaxStrings) _strings.Clear();
        var made = text.ToString();
        _strings[made] = made;
        return made;
    }
}
