using System.Security.Cryptography;
using System.Text;
using Router.Contracts.Messages;

namespace Router.Host.Auth;

/// <summary>
/// How key secrets are made, hashed and shown. A secret is 32 random bytes (base62, after <c>sk-</c>),
/// so a plain SHA-256 is a sufficient hash: there is nothing to guess that a slow hash would protect.
/// </summary>
public static class KeySecrets
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A new key: <c>sk-</c> and 43 base62 characters (256 bits).</summary>
    public static string NewSecret()
    {
        Span<char> text = stackalloc char[43];
        for (var i = 0; i < text.Length; i++) text[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return "sk-" + new string(text);
    }

    /// <summary>The length of a key's hash in hex.</summary>
    public const int HashChars = SHA256.HashSizeInBytes * 2;

    /// <summary>The hex SHA-256 of a presented key, the only form in which keys are stored and compared.</summary>
    public static string Hash(ReadOnlySpan<char> secret)
    {
        Span<char> hex = stackalloc char[HashChars];
        Hash(secret, hex);
        return new string(hex);
    }

    /// <summary>The same hash written into <paramref name="hex"/> (<see cref="HashChars"/> long): a request looks its key up without a string of it.</summary>
    public static void Hash(ReadOnlySpan<char> secret, Span<char> hex)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(secret.Length);
        Span<byte> utf8 = maxBytes <= 1024 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Sha256.Hash(utf8[..Encoding.UTF8.GetBytes(secret, utf8)], hash);
        Convert.TryToHexString(hash, hex, out _);
    }

    /// <summary>Constant-time comparison of two hashes, so timing says nothing about how much matched.</summary>
    public static bool SameHash(string a, string b) => KeyPolicy.SameHash(a, b);

    /// <summary>Enough of a key to tell keys apart in a log or a list, never enough to use it.</summary>
    public static string DisplayPrefix(string secret) => secret.Length < 24 ? "sk-…" : secret[..10] + "…";
}
