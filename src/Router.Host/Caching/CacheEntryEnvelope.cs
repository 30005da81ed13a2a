using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Router.Host.Caching;

/// <summary>
/// How an answer is stored in Redis: <c>version · HMAC-SHA256 · payload</c>. The MAC, under a key derived from
/// the cache secret the nodes share, covers the Redis key the entry is stored under, the version and the
/// payload, so whoever can write to Redis but does not hold the secret can neither plant an answer, alter one,
/// nor move a genuine one to another request's key: such an entry fails <see cref="TryOpen"/> and is a miss.
/// </summary>
public sealed class CacheEntryEnvelope
{
    // 2: the producer follows the body. 3: the entry is authenticated. Any other version fails to open.
    public const byte Version = 3;
    private const int MacLength = 32;
    private static readonly byte[] KeyPurpose = "router response cache entries"u8.ToArray();

    private readonly byte[] _macKey;

    /// <param name="secret">The cache secret (<c>router.cache.secret</c> or the one generated in the data directory).</param>
    public CacheEntryEnvelope(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        // A key of its own for this one use, so the secret is never an HMAC key for anything else.
        _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), MacLength, salt: [], info: KeyPurpose);
    }

    /// <summary>The envelope of <paramref name="value"/> as stored under <paramref name="redisKey"/>.</summary>
    public byte[] Seal(string redisKey, CachedResponse value)
    {
        var payload = CacheEntryPayload.Write(value);
        var envelope = new byte[1 + MacLength + payload.Length];
        envelope[0] = Version;
        payload.CopyTo(envelope.AsSpan(1 + MacLength));
        Mac(redisKey, envelope[0], payload, envelope.AsSpan(1, MacLength));
        return envelope;
    }

    /// <summary>The answer in <paramref name="envelope"/>, read under <paramref name="redisKey"/>; false when it is not one this secret sealed there.</summary>
    public bool TryOpen(string redisKey, byte[] envelope, out CachedResponse? value)
    {
        value = null;
        if (envelope.Length < 1 + MacLength || envelope[0] != Version) return false;
        var payload = envelope.AsSpan(1 + MacLength);
        Span<byte> expected = stackalloc byte[MacLength];
        Mac(redisKey, envelope[0], payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, envelope.AsSpan(1, MacLength))) return false;
        return CacheEntryPayload.TryRead(payload.ToArray(), out value);
    }

    private void Mac(string redisKey, byte version, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _macKey);
        var key = Encoding.UTF8.GetBytes(redisKey);
        // The key's length first, so no split of key and payload can be read as another.
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, key.Length);
        hmac.AppendData(length);
        hmac.AppendData(key);
        hmac.AppendData([version]);
        hmac.AppendData(payload);
        hmac.GetHashAndReset(destination);
    }
}
