namespace Router.Host.Configuration;

/// <summary>
/// A secret kept in a file of its own (<c>api-key-file</c>, <c>password-file</c>): systemd's
/// <c>LoadCredential</c>, a Docker or Podman secret, a file only the router's user reads. Its content, trimmed,
/// is the secret. A file that group or others may read, write or run is refused: whoever else could read it
/// has the secret, and the point of the file was that nobody does. Errors name the setting and the path,
/// never the content.
/// </summary>
public static class SecretFile
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <param name="setting">The setting that names the file, e.g. <c>router.providers.openai.api-key-file</c>.</param>
    public static string Read(string setting, string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            // The mode is read from the open file, so it is the mode of what is read (a symlink's target, as with
            // Kubernetes secrets), not of a name that could be swapped in between.
            using var handle = File.OpenHandle(full, FileMode.Open, FileAccess.Read);
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(handle) & GroupOrOthers) is not 0)
            {
                var mode = Convert.ToString((int)File.GetUnixFileMode(handle), 8).PadLeft(4, '0');
                throw new ConfigException(
                    $"{setting}: {full} has mode {mode}, open to group or others; a secret's file must be readable by its owner only: chmod 600 {full}");
            }
            using var stream = new FileStream(handle, FileAccess.Read);
            using var reader = new StreamReader(stream);
            var secret = reader.ReadToEnd().Trim();
            return secret.Length > 0 ? secret : throw new ConfigException($"{setting}: {full} is empty");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException($"{setting}: {full} does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigException($"{setting}: {full} may not be read by this user (the router's user must own it, mode 0600)");
        }
        catch (IOException e)
        {
            throw new ConfigException($"{setting}: {full} could not be read: {e.Message}");
        }
    }
}
