namespace Router.Host.Configuration;

/// <summary>
/// A secret kept in a file of its own (a systemd credential, a container secret, a file only the router's user
/// reads) instead of the config file or the environment. The error names the setting and the path, never
/// any part of the content.
/// </summary>
public static class SecretFileReader
{
    /// <summary>The file's text without the line break editors and <c>echo</c> leave at its end.</summary>
    /// <param name="setting">The setting that named the file, for the error (e.g. <c>router.cache.secret-file</c>).</param>
    public static string Read(string path, string setting)
    {
        if (!File.Exists(path)) throw new ConfigException($"{setting}: '{path}' does not exist");
        // Anyone on the host could read a world-readable secret; refused as ssh refuses such a private key.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.OtherRead) != 0)
            throw new ConfigException($"{setting}: '{path}' is readable by every user on the host; make it readable by the router's user only (chmod 600, or 640 for its group)");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{setting}: '{path}' cannot be read ({e.GetType().Name})");
        }
        text = text.TrimEnd('\r', '\n');
        return text.Length > 0 ? text : throw new ConfigException($"{setting}: '{path}' is empty");
    }
}
