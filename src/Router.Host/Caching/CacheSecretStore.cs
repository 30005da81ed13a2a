using System.Security.Cryptography;

namespace Router.Host.Caching;

/// <summary>
/// The secret a single node authenticates its Redis entries under when none is configured: made on first start
/// and kept in the data directory, readable by its owner only, so entries stay valid across restarts. A pair
/// must configure one (both nodes need the same), which the settings reader insists on.
/// </summary>
public static class CacheSecretStore
{
    public const string FileName = "cache.secret";

    /// <param name="GeneratedAt">The file just made, when it was.</param>
    public sealed record Resolution(string Secret, string? GeneratedAt);

    public static Resolution Resolve(string? configured, string dataDir)
    {
        if (!string.IsNullOrEmpty(configured)) return new Resolution(configured, null);

        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var stored = File.ReadAllText(path).Trim();
            if (stored.Length > 0) return new Resolution(stored, null);
        }

        Directory.CreateDirectory(dataDir);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(path, options)) writer.Write(secret);
        return new Resolution(secret, path);
    }
}
