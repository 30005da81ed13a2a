using System.Text;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>One secret the router holds or is shown, by a name that says what it is.</summary>
public sealed record NamedSecret(string Name, string Value);

/// <summary>
/// The secrets a leak test looks for, and the search: a secret is leaked when it appears whole, or when any
/// 16 characters of it in a row do (a key cut short, or shown but for its last characters, is still most of a key).
/// The router's deliberate display prefix of a virtual key (its first 10 characters) is shorter than that.
/// </summary>
public sealed class LeakSecrets
{
    public const int WindowLength = 16;

    private readonly List<NamedSecret> _secrets = [];

    public IReadOnlyList<NamedSecret> All => _secrets;

    /// <summary>Adds a secret to look for; one shorter than <see cref="WindowLength"/> is refused as too short to search for.</summary>
    public string Add(string name, string value)
    {
        if (value.Length < WindowLength) throw new ArgumentException($"'{name}' is shorter than {WindowLength} characters: too short to search for", nameof(value));
        _secrets.Add(new NamedSecret(name, value));
        return value;
    }

    /// <summary>The names of the secrets <paramref name="text"/> holds, whole or in part.</summary>
    public IReadOnlyList<string> FoundIn(string text) =>
        [.. _secrets.Where(secret => Windows(secret.Value).Any(window => text.Contains(window, StringComparison.Ordinal))).Select(s => s.Name)];

    /// <summary>As <see cref="FoundIn(string)"/>, for bytes (files, protobuf): secrets are ASCII, so Latin-1 keeps every byte as one character.</summary>
    public IReadOnlyList<string> FoundIn(byte[] bytes) => FoundIn(Encoding.Latin1.GetString(bytes));

    private static IEnumerable<string> Windows(string secret)
    {
        for (var start = 0; start + WindowLength <= secret.Length; start++) yield return secret.Substring(start, WindowLength);
    }
}
