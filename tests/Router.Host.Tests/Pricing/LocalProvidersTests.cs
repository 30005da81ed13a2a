using Router.Contracts.Configuration;
using Router.Host.Pricing;

namespace Router.Host.Tests.Pricing;

public sealed class LocalProvidersTests
{
    [Theory]
    [InlineData("http://127.0.0.1:11434/v1")]
    [InlineData("http://127.8.9.10/v1")]
    [InlineData("http://localhost:8000/v1")]
    [InlineData("http://[::1]:8000/v1")]
    [InlineData("http://10.1.2.3/v1")]
    [InlineData("http://172.16.0.1/v1")]
    [InlineData("http://172.31.255.255/v1")]
    [InlineData("http://192.168.1.20:11434/v1")]
    [InlineData("http://gpu-box.local:8000/v1")]
    [InlineData("http://vllm.lan/v1")]
    [InlineData("https://llm.corp.internal/v1")]
    public void Hosts_on_the_operators_own_network_are_local(string apiBase) =>
        Assert.True(LocalProviders.IsLocalHost(new Uri(apiBase)));

    [Theory]
    [InlineData("https://api.openai.com/v1")]
    [InlineData("https://openrouter.ai/api/v1")]
    [InlineData("http://172.15.0.1/v1")]
    [InlineData("http://172.32.0.1/v1")]
    [InlineData("http://192.169.1.1/v1")]
    [InlineData("http://8.8.8.8/v1")]
    [InlineData("https://local.example.com/v1")]
    [InlineData("https://example.lanparty.com/v1")]
    public void Other_hosts_are_not_local(string apiBase) =>
        Assert.False(LocalProviders.IsLocalHost(new Uri(apiBase)));

    [Fact]
    public void A_discovering_provider_is_local_wherever_it_is()
    {
        var timeouts = new ProviderTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        ProviderSettings On(DiscoverySettings? discovery) => new("ollama", ProviderType.OpenAiCompatible,
            new Uri("https://ollama.example.com/v1"), null, false, new Dictionary<string, string>(), timeouts, discovery);

        Assert.True(LocalProviders.IsLocal(On(new DiscoverySettings(TimeSpan.FromSeconds(30)))));
        Assert.False(LocalProviders.IsLocal(On(null)));
    }

    [Fact]
    public void What_the_operator_says_wins_over_the_address()
    {
        var timeouts = new ProviderTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        ProviderSettings At(string apiBase, bool? local) => new("p", ProviderType.OpenAiCompatible, new Uri(apiBase), null, false,
            new Dictionary<string, string>(), timeouts) { Local = local };

        // A gateway to a paid API on loopback (an SSH tunnel, a company proxy) is not free; a rented GPU at a flat rate may be.
        Assert.False(LocalProviders.IsLocal(At("http://127.0.0.1:4001/v1", local: false)));
        Assert.True(LocalProviders.IsLocal(At("https://gpu.example.com/v1", local: true)));
        Assert.True(LocalProviders.IsLocal(At("http://127.0.0.1:4001/v1", local: null)));
    }
}
