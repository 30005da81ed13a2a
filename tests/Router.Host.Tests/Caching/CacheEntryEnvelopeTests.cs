using System.Text;
using Router.Contracts.Wire;
using Router.Host.Caching;

namespace Router.Host.Tests.Caching;

/// <summary>The MAC of a Redis entry: only what this secret sealed under this key opens.</summary>
public sealed class CacheEntryEnvelopeTests
{
    private const string Secret = "the-pair's-cache-secret-0123456789abcdef";
    private const string RedisKey = "router:cache:default:gpt-4o:abc";
    private readonly CacheEntryEnvelope _envelope = new(Secret);

    private static readonly CachedResponse Value = new(Encoding.UTF8.GetBytes("""{"object":"chat.completion"}"""),
        new TokenUsage(11, 7, 3, 2, 1) { ReportedCost = 0.0004m }, 0.0123m, new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero),
        new CacheProducer("gpt-4o", "openai", "gpt-4o-2024"));

    [Fact]
    public void What_was_sealed_opens_whole_under_the_same_key_and_secret()
    {
        var sealedBytes = _envelope.Seal(RedisKey, Value);

        Assert.Equal(CacheEntryEnvelope.Version, sealedBytes[0]);
        Assert.True(new CacheEntryEnvelope(Secret).TryOpen(RedisKey, sealedBytes, out var opened));
        Assert.Equal(Value.Body, opened!.Body);
        Assert.Equal((Value.Usage, Value.Cost, Value.StoredAt, Value.Producer), (opened.Usage, opened.Cost, opened.StoredAt, opened.Producer));
    }

    [Fact]
    public void Any_byte_changed_anywhere_is_refused()
    {
        var sealedBytes = _envelope.Seal(RedisKey, Value);
        for (var i = 0; i < sealedBytes.Length; i++)
        {
            var tampered = (byte[])sealedBytes.Clone();
            tampered[i] ^= 0x01;
            Assert.False(_envelope.TryOpen(RedisKey, tampered, out var value), $"byte {i} changed and still opened");
            Assert.Null(value);
        }
    }

    [Theory]
    [InlineData("router:cache:default:gpt-4o:abd")]
    [InlineData("router:cache:team:gpt-4o:abc")]
    [InlineData("router:cache:default:gpt-4o-mini:abc")]
    public void An_entry_moved_to_another_key_is_refused(string otherKey) =>
        Assert.False(_envelope.TryOpen(otherKey, _envelope.Seal(RedisKey, Value), out _));

    [Fact]
    public void An_entry_sealed_under_another_secret_is_refused() =>
        Assert.False(_envelope.TryOpen(RedisKey, new CacheEntryEnvelope(Secret + "x").Seal(RedisKey, Value), out _));

    [Fact]
    public void Cut_short_empty_unmacced_and_older_entries_are_refused()
    {
        var sealedBytes = _envelope.Seal(RedisKey, Value);
        var payload = CacheEntryPayload.Write(Value);

        Assert.False(_envelope.TryOpen(RedisKey, sealedBytes[..^1], out _));
        Assert.False(_envelope.TryOpen(RedisKey, sealedBytes[..33], out _));
        Assert.False(_envelope.TryOpen(RedisKey, [], out _));
        // What version 2 wrote: the version byte, then the payload, no MAC.
        Assert.False(_envelope.TryOpen(RedisKey, [2, .. payload], out _));
        // The current version with the payload but no MAC.
        Assert.False(_envelope.TryOpen(RedisKey, [CacheEntryEnvelope.Version, .. payload], out _));
        // A MAC of zeros in its place.
        Assert.False(_envelope.TryOpen(RedisKey, [CacheEntryEnvelope.Version, .. new byte[32], .. payload], out _));
    }
}
