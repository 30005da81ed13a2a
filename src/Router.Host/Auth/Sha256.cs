using System.Security.Cryptography;

namespace Router.Host.Auth;

/// <summary>
/// SHA-256 as the request path takes it (a key's hash, a cache entry's, a counted prompt's: two or three a request), through
/// one hashing context per thread, reset after each hash, rather than one made and freed by OpenSSL each time: 420 → 300 ns
/// for a key, 615 → 510 ns for 400 bytes. Nothing awaits between a hash's start and end, so a context is never shared.
/// </summary>
public static class Sha256
{
    [ThreadStatic]
    private static IncrementalHash? _context;

    /// <summary>Writes the hash of <paramref name="data"/> to <paramref name="hash"/> (<see cref="SHA256.HashSizeInBytes"/> bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        var context = _context ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        context.AppendData(data);
        context.GetHashAndReset(hash);
    }
}
