using System.CommandLine;
using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Hosting;
using Router.Host.Storage;

namespace Router.Host.Cli;

/// <summary>The <c>router</c> executable: with no subcommand, or <c>serve</c>, it serves.</summary>
public static class RouterCli
{
    public static RootCommand Build()
    {
        var config = new Option<FileInfo?>("--config")
        {
            Description = "HOCON file layered over the shipped defaults (else ROUTER_CONFIG).",
            Recursive = true,
        };
        var urls = new Option<string?>("--urls")
        {
            Description = "Listen address(es), overriding router.http.urls, e.g. http://127.0.0.1:4000.",
            Recursive = true,
        };

        var serve = new Command("serve", "Serve the OpenAI-compatible endpoint (the default).");
        serve.SetAction((parse, ct) => ServeAsync(parse.GetValue(config), parse.GetValue(urls), ct));

        var root = new RootCommand("Router: one OpenAI-compatible endpoint in front of your LLM backends.");
        root.Options.Add(config);
        root.Options.Add(urls);
        root.Subcommands.Add(serve);
        root.Subcommands.Add(Import.ImportCommand.Build());
        // Palettes that inspect and steer running nodes over their admin endpoint (see the README's "Command line").
        root.Subcommands.Add(ClusterCommands.Build());
        root.Subcommands.Add(ShardCommands.Build());
        root.Subcommands.Add(BreakerCommands.Build());
        var keys = KeyCommands.Build();
        keys.Subcommands.Add(MasterKeyCommand.Build(config));
        root.Subcommands.Add(keys);
        root.Subcommands.Add(SpendCommands.Build());
        root.Subcommands.Add(CacheCommands.Build());
        root.Subcommands.Add(LogCommands.Build());
        root.Subcommands.Add(ConfigCommands.Build());
        root.Subcommands.Add(AlertCommands.Build());
        root.SetAction((parse, ct) => ServeAsync(parse.GetValue(config), parse.GetValue(urls), ct));
        return root;
    }

    private static async Task<int> ServeAsync(FileInfo? configFile, string? urls, CancellationToken ct)
    {
        WebApplication app;
        try
        {
            // Read the same way on every reload: the same file, the same overrides.
            RouterSettings Read() => RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(configFile?.FullName), urls);
            app = RouterServer.Build(Read(), Read);
        }
        catch (StorageUnavailableException e)
        {
            await Console.Error.WriteLineAsync($"router: storage unavailable: {e.Message}");
            return 3;
        }
        catch (Exception e) when (e is ConfigException or ConfigurationException or ArgumentException or FormatException or IOException)
        {
            await Console.Error.WriteLineAsync($"router: configuration error: {e.Message}");
            return 2;
        }
        await app.RunAsync(ct);
        return 0;
    }
}
