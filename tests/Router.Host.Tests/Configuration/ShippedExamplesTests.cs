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
        var path = Path.Combine(RepositoryRoot(), "hocon", "examples", example);

        var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(path));

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

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new ConfigException("Router.sln not found above the test binaries");
    }
}
