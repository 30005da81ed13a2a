using Router.Contracts.Configuration;

namespace Router.Host.Providers;

/// <summary>
/// What the router sends a provider to prove who it is (its api-key, and any long value among its configured
/// headers, such as a gateway's token), masked out of what the provider answers before the router passes it on.
/// A provider that writes the request's headers into its error (some gateways and debug builds do) would otherwise
/// hand its key to every client of the router, and to the request log, the traces and the dashboard.
/// </summary>
public sealed class ProviderCredentials
{
    public const string Mask = "********";

    /// <summary>Shorter header values (a version, a flag) are not credentials, and masking them would mangle the text.</summary>
    private const int MinimumHeaderSecretLength = 16;

    private readonly byte[][] _secrets;

    public ProviderCredentials(ProviderSettings settings)
    {
        var secrets = settings.Headers.Values.Where(v => v.Length >= MinimumHeaderSecretLength).ToList();
        if (settings.ApiKey is { Length: > 0 } key) secrets.Add(key);
        // Longest first, so a key that contains another is masked whole.
        _secrets = [.. secrets.Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).Select(System.Text.Encoding.UTF8.GetBytes)];
    }

    /// <summary><paramref name="body"/> with every credential replaced by <see cref="Mask"/>; the same array when it holds none.</summary>
    public byte[] MaskIn(byte[] body)
    {
        var masked = body;
        foreach (var secret in _secrets)
            masked = Replace(masked, secret);
        return masked;
    }

    private static readonly byte[] MaskBytes = System.Text.Encoding.UTF8.GetBytes(Mask);

    private static byte[] Replace(byte[] text, byte[] secret)
    {
        var at = text.AsSpan().IndexOf(secret);
        if (at < 0) return text;
        using var result = new MemoryStream(text.Length);
        var rest = text.AsSpan();
        while (at >= 0)
        {
            result.Write(rest[..at]);
            result.Write(MaskBytes);
            rest = rest[(at + secret.Length)..];
            at = rest.IndexOf(secret);
        }
        result.Write(rest);
        return result.ToArray();
    }
}
