using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;
using Router.Contracts.Messages;
using Router.Host.Http;

namespace Router.Host.Auth;

/// <summary>
/// Who a request speaks for: the key's id (its budget actor), a prefix safe to show in logs, and the
/// hash of the secret it presented, which the key's actor checks against the key's current secret.
/// Its alias (as the key directory knew it) names it in metrics.
/// </summary>
public sealed record AuthenticatedKey(string KeyId, string DisplayPrefix, string SecretHash, string? Alias = null)
{
    public bool IsMaster => KeyId == KeyAuthenticator.MasterKeyId;
}

/// <summary>
/// Bearer keys are recognised by their SHA-256, so the router holds no key in the clear beyond the
/// configured master key: the master key by comparison, virtual keys through the <see cref="KeyDirectory"/>.
/// The final word on a key (its current secret, blocked, expired, deleted) is its budget actor's, which
/// compares hashes in constant time on every admission.
/// </summary>
public sealed class KeyAuthenticator
{
    public const string MasterKeyId = "master";

    private readonly string _masterKey;
    private readonly string _masterHash;
    private readonly AuthenticatedKey _master;
    private readonly KeyDirectory? _directory;

    /// <param name="directory">Where virtual keys are found; without one only the master key is recognised.</param>
    public KeyAuthenticator(string masterKey, KeyDirectory? directory = null)
    {
        _directory = directory;
        _masterKey = masterKey;
        _masterHash = KeySecrets.Hash(masterKey);
        _master = new AuthenticatedKey(MasterKeyId, KeySecrets.DisplayPrefix(masterKey), _masterHash);
        MasterPolicy = new KeyPolicy(_masterHash, _master.DisplayPrefix, ["*"], Alias: "master");
    }

    /// <summary>The master key's policy: every model, no limits.</summary>
    public KeyPolicy MasterPolicy { get; }

    /// <summary>The caller of a request, by its bearer key; a request without one, or with one nobody holds, is refused (401).</summary>
    public AuthenticatedKey Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization;
        if (string.IsNullOrWhiteSpace(header)) throw RouterError.MissingKey();
        return Authenticate(header) ?? throw RouterError.InvalidKey();
    }

    public AuthenticatedKey? Authenticate(StringValues authorizationHeader)
    {
        var presented = Presented(authorizationHeader);
        if (presented.IsEmpty) return null;
        if (IsMasterKey(presented)) return _master;
        if (_directory is null) return null;
        Span<char> hash = stackalloc char[KeySecrets.HashChars];
        KeySecrets.Hash(presented, hash);
        // Most keys are in the index: found there, the hash needs no string (the entry holds one).
        var entry = _directory.FindInIndex(hash) ?? _directory.FindByHash(new string(hash));
        return entry is null ? null : new AuthenticatedKey(entry.KeyId, entry.DisplayPrefix, entry.SecretHash, entry.Alias);
    }

    /// <summary>Whether the header carries the master key; never looks in the key directory (so it answers while the database is down).</summary>
    public bool IsMaster(StringValues authorizationHeader)
    {
        var presented = Presented(authorizationHeader);
        return !presented.IsEmpty && IsMasterKey(presented);
    }

    private static ReadOnlySpan<char> Presented(StringValues authorizationHeader)
    {
        var header = authorizationHeader.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header.AsSpan(scheme.Length).Trim() : default;
    }

    // The master key is held in the clear anyway (it is configured), so it is compared as it is: in
    // constant time, and without hashing on every request.
    private bool IsMasterKey(ReadOnlySpan<char> presented) =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(presented), MemoryMarshal.AsBytes(_masterKey.AsSpan()));
}
