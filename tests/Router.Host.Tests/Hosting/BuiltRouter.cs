using Microsoft.AspNetCore.Builder;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Hosting;

namespace Router.Host.Tests.Hosting;

/// <summary>The router's app as <see cref="RouterServer.Build"/> makes it, not started, over a data directory of its own that goes with it.</summary>
internal sealed class BuiltRouter : IAsyncDisposable
{
    private readonly string _dataDir;

    private BuiltRouter(string dataDir, WebApplication app) => (_dataDir, App) = (dataDir, app);

    public WebApplication App { get; }

    public static async Task<BuiltRouter> BuildAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("router-built-").FullName;
        var file = Path.Combine(dataDir, "test.conf");
        await File.WriteAllTextAsync(file, $"router {{\n  data-dir = {HoconQuoting.Quote(dataDir)}\n  master-key = \"sk-built-test-master-0123456789abcdef\"\n}}\n",
            TestContext.Current.CancellationToken);
        return new BuiltRouter(dataDir, RouterServer.Build(RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(file), "http://127.0.0.1:0")));
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}
