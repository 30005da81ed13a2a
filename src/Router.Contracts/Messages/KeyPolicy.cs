namespace Router.Contracts.Messages;

/// <summary>
/// What a virtual key may do, as the admin API sets it. The key itself is never stored: only the hex
/// SHA-256 of its secret, which the key's actor compares in constant time on every admission.
/// </summary>
/// <param name="AllowedModels">Model names or globs (<c>ollama/*</c>); empty: every model.</param>
/// <param name="BudgetDuration">How often the spend counted against <paramref name="MaxBudget"/> starts again; null: never.</param>
/// <param name="MetadataJson">The caller's metadata object, kept as JSON text.</param>
public sealed record KeyPolicy(
    string SecretHash,
    string DisplayPrefix,
    IReadOnlyList<string> AllowedModels,
    string? Alias = null,
    decimal? MaxBudget = null,
    TimeSpan? BudgetDuration = null,
    int? RpmLimit = null,
    int? TpmLimit = null,
    DateTimeOffset? Expires = null,
    bool Blocked = false,
    string? MetadataJson = null,
    DateTimeOffset CreatedAt = default)
{
    /// <summary>
    /// Whether a presented key's hash is this key's, compared in constant time (timing says nothing about how
    /// much matched) and without allocating: it runs on every admission. An empty hash matches nothing.
    /// </summary>
    public static bool SameHash(string expected, string presented) =>
        expected.Length > 0
        && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan()),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(presented.AsSpan()));
}
