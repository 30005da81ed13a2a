using Microsoft.Extensions.Primitives;
using Router.Contracts.Messages;

namespace Router.Host.Auth;

/// <summary>
/// Who a request speaks for: the key's id (its budget actor), a prefix safe to show in logs, and the
/// hash of the secret it presented, which the key's actor checks against the key's current secret.
/// </summary>
public sealed record AuthenticatedKey(string KeyId, string DisplayPrefix, string SecretHash)
{
    public bool IsMaster => KeyId == KeyAuthenticator.MasterKeyId;
}

/// <summary>
/// Bearer keys are recognised by their SHA-256, so the router holds no key in the clear beyond the
/// configured master key. The final word on a key (its current secret, blocked, expired, deleted) is
/// its budget actor's, which compares hashes in constant time on every admission.
/// </summary>
public sealed class KeyAuthenticator
{
    public const string MasterKeyId = "master";

    private readonly string _masterHash;
    private readonly AuthenticatedKey _master;

    public KeyAuthenticator(string masterKey)
    {
        _masterHash = KeySecrets.Hash(masterKey);
        _master = new AuthenticatedKey(MasterKeyId, KeySecrets.DisplayPrefix(masterKey), _masterHash);
        MasterPolicy = new KeyPolicy(_masterHash, _master.DisplayPrefix, ["*"], Alias: "master");
    }

    /// <summary>The master key's policy: every model, no limits.</summary>
    public KeyPolicy MasterPolicy { get; }

    public AuthenticatedKey? Authenticate(StringValues authorizationHeader)
    {
        var header = authorizationHeader.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var presented = header.AsSpan(scheme.Length).Trim();
        if (presented.IsEmpty) return null;
        var hash = KeySecrets.Hash(presented);
        return KeySecrets.SameHash(hash, _masterHash) ? _master : null;
    }
}
