using Akka.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary>Every example shipped in hocon/examples loads over the defaults and routes what it says.</summary>
public sealed class ShippedExamplesTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot(), "hocon", "examples"), "*.conf")) data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void An_example_loads_and_every_route_names_a_defined_provider(string example)
    {
        var settings = Load(example);

        Assert.NotEmpty(settings.Models);
        Assert.All(settings.Models, m => Assert.Contains(settings.Providers, p => p.Name == m.Provider));
    }

    [Fact]
    public void The_homelab_example_adds_its_gpu_box_to_the_shipped_providers()
    {
        var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(
            Path.Combine(RepositoryRoot(), "hocon", "examples", "homelab.conf")));

        var gpu = Assert.Single(settings.Providers, p => p.Name == "gpu-box");
        Assert.Equal(TimeSpan.FromSeconds(300), gpu.Timeouts.FirstByte);
        Assert.Contains(settings.Providers, p => p.Name == "openrouter");
        Assert.Contains(settings.Models, m => m is { Name: "coder", Model: "qwen2.5-coder:32b" });
    }

    [Fact]
    public void The_pair_examples_differ_only_in_the_nodes_own_address()
    {
        var a = Load("pair-node-a.conf");
        var b = Load("pair-node-b.conf");

        Assert.True(a.Cluster.Enabled && b.Cluster.Enabled);
        Assert.Equal(("10.0.0.11", "10.0.0.12"), (a.Cluster.Hostname, b.Cluster.Hostname));
        Assert.Equal(["10.0.0.11:4053", "10.0.0.12:4053"], a.Cluster.SeedNodes);
        Assert.Equal(a.Cluster.SeedNodes, b.Cluster.SeedNodes);
        Assert.Equal(Contracts.Configuration.StorageProvider.Postgres, a.Storage.Provider);
        Assert.Equal("10.0.0.10:6379", a.Cache.Redis);
    }

    /// <summary>
    /// An example as a node loads it. The pair's take the database's connection string from the environment
    /// (a node's service sets it); here it is appended to a copy rather than set for the whole test process.
    /// </summary>
    private static Contracts.Configuration.RouterSettings Load(string example)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "hocon", "examples", example));
        if (example.StartsWith("pair-", StringComparison.Ordinal))
            text += "\nrouter.storage.connection-string = \"Host=10.0.0.10;Database=router;Username=router;Password=example\"\n";
        // and the pair's cache secret (ROUTER_CACHE_SECRET on a node).
        if (example.StartsWith("pair-", StringComparison.Ordinal)) text += "router.cache.secret = \"example-cache-secret-0123456789abcdef\"\n";
        var copy = Path.Combine(Path.GetTempPath(), $"router-example-{Guid.NewGuid():N}.conf");
        File.WriteAllText(copy, text);
        try
        {
            return RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(copy));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new ConfigException("Router.sln not found above the test binaries");
    }
}
