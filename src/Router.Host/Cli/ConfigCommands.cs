using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Pricing;

namespace Router.Host.Cli;

/// <summary>
/// <c>router config show|reload|check</c>: the configuration in force on a node (secrets masked), a reload
/// of it, and a check of a file on this machine before it is put anywhere (no node needed): its errors
/// (exit code 2) and its warnings (keys with no effect, which alone leave the exit code 0).
/// </summary>
public static class ConfigCommands
{
    public static Command Build()
    {
        var palette = NodeOptions.Palette("config", "The configuration: show a node's (secrets masked), reload it, check a file.", out var node);

        node.Add(palette, new Command("show", "The configuration in force on the node, with every secret masked."), async (call, ct) =>
        {
            var body = await call.Client.GetAsync("admin/config", ct);
            if (call.Json)
            {
                CliOutput.Json(body);
                return;
            }
            var root = ParseObject(body, call);
            CliOutput.Line($"# in force on {call.Client.Node} (secrets masked)");
            foreach (var (path, value) in Flatten("router", root)) CliOutput.Line($"{path} = {value}");
        });

        node.Add(palette, new Command("reload", "Make the node read its configuration file again (as SIGHUP does)."), async (call, ct) =>
        {
            var body = await call.Client.PostAsync("config/reload", null, ct);
            if (call.Json)
            {
                CliOutput.Json(body);
                return;
            }
            var result = ParseObject(body, call);
            var restart = result["restart_required"]?.AsArray().Select(n => n?.GetValue<string>()).ToList() ?? [];
            CliOutput.Line($"{call.Client.Node} reloaded its configuration: {result["providers"]} providers, {result["models"]} routes." +
                (restart.Count == 0 ? "" : $" Applied only after a restart: {string.Join(", ", restart)}."));
            foreach (var warning in result["warnings"]?.AsArray() ?? []) CliOutput.Line($"warning: {warning?.GetValue<string>()}");
        });

        var check = new Command("check", "Load and validate a configuration file here, as a node would at start; no node is needed.");
        var file = new Argument<FileInfo>("file") { Description = "The HOCON file, layered over the shipped defaults as at start." };
        check.Arguments.Add(file);
        check.SetAction(parse => Check(parse.GetValue(file)!, parse.GetValue(node.Json)));
        palette.Subcommands.Add(check);
        return palette;
    }

    private static int Check(FileInfo file, bool json)
    {
        try
        {
            var settings = RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(file.FullName));
            // The HTTPS certificate is opened as at start, so a wrong file or password fails here too.
            if (settings.HttpTls is { } tls) TlsCertificateFile.Load(tls).Dispose();
            // The route table and the providers' clients are built as a reload would, so a bad route fails here too.
            var routing = RoutingConfig.Build(settings, ModelCatalog.LoadShipped());
            routing.Providers.Dispose();
            var unusable = settings.Providers.Where(p => !p.IsUsable).Select(p => p.Name).ToList();
            if (json)
            {
                CliOutput.Json(new JsonObject
                {
                    ["file"] = file.FullName,
                    ["valid"] = true,
                    ["providers"] = settings.Providers.Count,
                    ["providers_without_key"] = new JsonArray([.. unusable.Select(n => JsonValue.Create(n))]),
                    ["routes"] = routing.Routes.Deployments.Count,
                    ["cluster"] = settings.Cluster.Enabled,
                    ["storage"] = settings.Storage.Provider == StorageProvider.Postgres ? "postgres" : "sqlite",
                    ["warnings"] = new JsonArray([.. settings.Warnings.Select(w => JsonValue.Create(w))]),
                }.ToJsonString(CliOutput.JsonText));
            }
            else
            {
                CliOutput.Line($"{file.FullName} is valid: {settings.Providers.Count - unusable.Count} of {settings.Providers.Count} providers usable, " +
                    $"{routing.Routes.Deployments.Count} routes, {(settings.Cluster.Enabled ? $"a cluster node at {settings.Cluster.SelfSeed}" : "a single node")}, " +
                    $"storage {(settings.Storage.Provider == StorageProvider.Postgres ? "postgres" : "sqlite")}.");
                if (unusable.Count > 0)
                    CliOutput.Line($"Left out for want of an API key (set it in the environment): {string.Join(", ", unusable)}.");
                foreach (var warning in settings.Warnings) CliOutput.Line($"warning: {warning}");
            }
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ConfigException or ConfigurationException or ArgumentException or FormatException or IOException)
        {
            if (json)
                CliOutput.Json(new JsonObject { ["file"] = file.FullName, ["valid"] = false, ["error"] = e.Message }.ToJsonString(CliOutput.JsonText));
            Console.Error.WriteLine($"router: {file.FullName} is not a valid configuration: {e.Message}");
            return ExitCodes.InvalidConfig;
        }
    }

    private static JsonObject ParseObject(string body, NodeCall call)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            throw new CliFailure(ExitCodes.NodeFailed, $"The node at {call.Client.Node} answered something that is not the admin API's JSON.");
        }
    }

    /// <summary>Every leaf as <c>path = value</c>, HOCON's way of writing one setting; arrays stay whole on their line.</summary>
    private static IEnumerable<(string Path, string Value)> Flatten(string path, JsonNode? node)
    {
        if (node is JsonObject obj && obj.Count > 0)
        {
            foreach (var (name, child) in obj)
                foreach (var leaf in Flatten($"{path}.{Key(name)}", child)) yield return leaf;
            yield break;
        }
        yield return (path, node?.ToJsonString(CliOutput.JsonText) ?? "null");
    }

    /// <summary>A key with dots or other characters HOCON would split on is quoted, as in <c>prices."openai/gpt-4o"</c>.</summary>
    private static string Key(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? name : HoconQuoting.Quote(name);
}
