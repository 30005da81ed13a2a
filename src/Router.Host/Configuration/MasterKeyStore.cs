using System.Security.Cryptography;

namespace Router.Host.Configuration;

/// <summary>
/// The master key comes from configuration; without one, the router makes one on first start and
/// keeps it in the data directory, readable by its owner only, so a fresh install is never open.
/// </summary>
public static class MasterKeyStore
{
    public const string FileName = "master.key";

    /// <summary>
    /// The shortest master key accepted: it opens every key, budget and log, so it must not be guessable
    /// (a generated one has 58 characters).
    /// </summary>
    public const int MinimumLength = 32;

    public sealed record Resolution(string Key, string? GeneratedAt, string? LoadedFrom);

    /// <summary>Why <paramref name="key"/> cannot be a master key (without repeating it); null when it can.</summary>
    public static string? Weakness(string key) =>
        key.Length >= MinimumLength
            ? null
            : $"it has {key.Length} characters, fewer than the {MinimumLength} a master key needs (make one with: openssl rand -hex 32)";

    public static Resolution Resolve(string? configured, string dataDir)
    {
        if (!string.IsNullOrEmpty(configured))
            return Weakness(configured) is { } weakness
                ? throw new ConfigException($"router.master-key is refused: {weakness}")
                : new Resolution(configured, null, null);

        var path = Path.Combine(dataDir, FileName);
        if (Stored(dataDir) is { } stored)
            return Weakness(stored) is { } weakness
                ? throw new ConfigException($"the master key in {path} is refused: {weakness}; or delete the file to have one generated")
                : new Resolution(stored, null, path);

        Directory.CreateDirectory(dataDir);
        var key = "sk-router-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(path, options)) writer.Write(key);
        return new Resolution(key, path, null);
    }

    /// <summary>The key kept in <paramref name="dataDir"/>, trimmed; null when there is none (no file, or an empty one).</summary>
    public static string? Stored(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (!File.Exists(path)) return null;
        var stored = File.ReadAllText(path).Trim();
        return stored.Length > 0 ? stored : null;
    }
}
