using System.Net;
using System.Net.Sockets;
using Router.Contracts.Configuration;

namespace Router.Host.Pricing;

/// <summary>
/// Tells a provider that runs on the operator's own hardware (an Ollama, a vLLM on the LAN), whose
/// calls cost nothing per token, from a paid service.
/// </summary>
public static class LocalProviders
{
    /// <summary>
    /// What the operator said (<c>router.providers.&lt;name&gt;.local</c>); else a provider that discovers its models
    /// (only Ollama does), or whose api-base host is loopback, <c>localhost</c>, a private IPv4 address (10/8,
    /// 172.16/12, 192.168/16) or a name under <c>.local</c>, <c>.lan</c> or <c>.internal</c>.
    /// </summary>
    public static bool IsLocal(ProviderSettings provider) =>
        provider.Local ?? (provider.Discovery is not null || IsLocalHost(provider.ApiBase));

    public static bool IsLocalHost(Uri apiBase)
    {
        var host = apiBase.DnsSafeHost.TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(host, out var address)) return IsLocalAddress(address);
        return host is "localhost"
            || host.EndsWith(".localhost", StringComparison.Ordinal)
            || host.EndsWith(".local", StringComparison.Ordinal)
            || host.EndsWith(".lan", StringComparison.Ordinal)
            || host.EndsWith(".internal", StringComparison.Ordinal);
    }

    private static bool IsLocalAddress(IPAddress address)
    {
        if (IPAddress.IsLoopback(address)) return true;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetwork) return false;
        var b = address.GetAddressBytes();
        return b[0] == 10
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168);
    }
}
