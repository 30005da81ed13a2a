using System.Security.Cryptography;

namespace Router.Host.Configuration;

/// <summary>
/// The master key comes from configuration; without one, the router makes one on first start and
/// keeps it in the data directory, readable by its owner only, so a fresh install is never open.
/// </summary>
public static class MasterKeyStore
{
    public const string FileName = "master.key";

    public sealed record Resolution(string Key, string? GeneratedAt, string? LoadedFrom);

    public static Resolution Resolve(string? configured, string dataDir)
    {
        if (!string.IsNullOrEmpty(configured)) return new Resolution(configured, null, null);

        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var stored = File.ReadAllText(path).Trim();
            if (stored.Length > 0) return new Resolution(stored, null, path);
        }

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
}
