using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Router.Host.Auth;

/// <summary>Who a request speaks for: the key's id (its budget actor) and a prefix safe to show in logs.</summary>
public sealed record AuthenticatedKey(string KeyId, string DisplayPrefix, IReadOnlyList<string> AllowedModels);

/// <summary>
/// Bearer keys are looked up by their SHA-256, so the router holds no key in the clear beyond the
/// configured master key, and the final comparison is constant-time.
/// </summary>
public sealed class KeyAuthenticator
{
    public const string MasterKeyId = "master";

    private readonly Dictionary<string, (byte[] Hash, AuthenticatedKey Key)> _byHash = new(StringComparer.Ordinal);

    public KeyAuthenticator(string masterKey)
    {
        Add(masterKey, new AuthenticatedKey(MasterKeyId, DisplayPrefix(masterKey), ["*"]));
    }

    public AuthenticatedKey? Authenticate(StringValues authorizationHeader)
    {
        var header = authorizationHeader.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var presented = header.AsSpan(scheme.Length).Trim();
        if (presented.IsEmpty) return null;
        var hash = Hash(presented);
        return _byHash.TryGetValue(Convert.ToHexString(hash), out var entry) && CryptographicOperations.FixedTimeEquals(hash, entry.Hash)
            ? entry.Key
            : null;
    }

    private void Add(string key, AuthenticatedKey identity)
    {
        var hash = Hash(key);
        _byHash[Convert.ToHexString(hash)] = (hash, identity);
    }

    private static byte[] Hash(ReadOnlySpan<char> key)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> utf8 = maxBytes <= 1024 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        return SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(key, utf8)]);
    }

    /// <summary>Enough of a key to tell keys apart in a log, never enough to use it.</summary>
    public static string DisplayPrefix(string key) => key.Length < 24 ? "sk-…" : key[..14] + "…";
}
