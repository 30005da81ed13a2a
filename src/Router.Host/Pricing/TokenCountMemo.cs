using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using BitFaster.Caching.Lru;
using Router.Host.Auth;

namespace Router.Host.Pricing;

/// <summary>
/// The token counts of long texts a key has sent before. An agent sends its whole conversation, tools and system prompt
/// again on every turn, though only the newest message is new, and counting all of it again was most of what the router
/// added to such a turn (40 turns growing to 200 KB: 8.3-9.3 ms a turn, 2.5-2.9 with the counts kept; bench/README). Each
/// long text's count is kept by the SHA-256 of its JSON and the key that sent it, so that how fast a count comes back tells
/// a key nothing about what another key sent. Holds no text. Short texts are counted each time, so that the short messages
/// every request brings anew do not push the long ones out.
/// </summary>
public sealed class TokenCountMemo(int capacity = TokenCountMemo.DefaultCapacity)
{
    /// <summary>About 100 bytes an entry: a few hundred KB for the turns of a few hundred conversations.</summary>
    public const int DefaultCapacity = 4_096;

    /// <summary>Texts whose JSON is shorter than this many bytes are counted each time.</summary>
    public const int MinimumBytes = 512;

    /// <summary>The router's memo; a test makes its own to see what it holds.</summary>
    public static TokenCountMemo Shared { get; } = new();

    private readonly ConcurrentLru<Entry, int> _counts = new(capacity);
    private long _hits;
    private long _misses;

    /// <summary>Long texts whose count was found (for tests).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Long texts counted and kept (for tests).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The tokens of a JSON string's value, for the key whose id is <paramref name="scope"/>.</summary>
    public int OfString(JsonElement text, string scope) =>
        Counted(text, scope, asWritten: false, static value => TokenCounter.CountTokens(value.GetString()!));

    /// <summary>The tokens of a value's JSON as written, for the key whose id is <paramref name="scope"/>.</summary>
    public int OfJson(JsonElement value, string scope) =>
        Counted(value, scope, asWritten: true, static json => TokenCounter.CountTokens(json.GetRawText()));

    private int Counted(JsonElement value, string scope, bool asWritten, Func<JsonElement, int> count)
    {
        var json = JsonMarshal.GetRawUtf8Value(value);
        if (json.Length < MinimumBytes) return count(value);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Sha256.Hash(json, hash);
        var entry = new Entry(scope, asWritten, MemoryMarshal.Read<UInt128>(hash));
        if (_counts.TryGet(entry, out var known))
        {
            Interlocked.Increment(ref _hits);
            return known;
        }
        Interlocked.Increment(ref _misses);
        var counted = count(value);
        _counts.AddOrUpdate(entry, counted);
        return counted;
    }

    /// <summary>A string's value and its JSON count differently, so which was counted is part of the entry.</summary>
    private readonly record struct Entry(string Scope, bool AsWritten, UInt128 Hash);
}
