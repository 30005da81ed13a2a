using Router.Contracts.Configuration;

namespace Router.Host.Providers;

/// <summary>The clients of every usable provider, by provider name.</summary>
/// <param name="handlers">The handler each client sends through; by default its pooled connections (tests give a fake).</param>
public sealed class ProviderClients(IEnumerable<ProviderSettings> providers, Func<ProviderSettings, HttpMessageHandler>? handlers = null)
    : IDisposable
{
    private readonly Dictionary<string, ProviderClient> _byName = providers
        .Where(p => p.IsUsable)
        .ToDictionary(p => p.Name, p => new ProviderClient(p, handlers?.Invoke(p)), StringComparer.Ordinal);

    public ProviderClient Get(string name) => _byName[name];

    /// <summary>The client of a provider by name, or null when it is not usable (or not configured).</summary>
    public ProviderClient? Find(string name) => _byName.GetValueOrDefault(name);

    public void Dispose()
    {
        foreach (var client in _byName.Values) client.Dispose();
    }
}
