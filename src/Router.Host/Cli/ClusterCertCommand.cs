using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Router.Contracts.Configuration;
using Router.Host.Cluster;

namespace Router.Host.Cli;

/// <summary>
/// <c>router cluster cert --out DIR [NODE…]</c>: the pair's CA and one certificate per node (<see cref="PairCertificates"/>),
/// made on this machine (no node needed), and the <c>router.cluster.tls</c> lines each node takes.
/// </summary>
public static class ClusterCertCommand
{
    public static Command Build(Option<bool> json)
    {
        var command = new Command("cert", "Make a CA and the nodes' certificates for TLS between the nodes (router.cluster.tls), and print each node's settings.");
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Directory to write into (made if missing). If it holds ca.pem and ca.key, that CA signs the new nodes.",
            Required = true,
        };
        var days = new Option<int>("--days") { Description = "How long the certificates are valid, in days.", DefaultValueFactory = _ => 3650 };
        var nodes = new Argument<string[]>("nodes")
        {
            Description = "Each node as NAME or NAME=HOST[,HOST…] (its IPs or DNS names). Default: node-a node-b.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        command.Options.Add(output);
        command.Options.Add(days);
        command.Arguments.Add(nodes);
        command.SetAction(parse => Run(parse.GetValue(output)!, parse.GetValue(days), parse.GetValue(nodes) ?? [], parse.GetValue(json)));
        return command;
    }

    private static int Run(DirectoryInfo output, int days, string[] nodeTexts, bool json)
    {
        try
        {
            if (days <= 0) throw new CliFailure(ExitCodes.Usage, "--days must be a positive number of days");
            var nodes = (nodeTexts.Length == 0 ? ["node-a", "node-b"] : nodeTexts).Select(ParseNode).ToList();
            if (nodes.Select(n => n.Name).Distinct(StringComparer.Ordinal).Count() != nodes.Count)
                throw new CliFailure(ExitCodes.Usage, "each node needs a name of its own");
            var result = PairCertificates.Make(output.FullName, nodes, TimeSpan.FromDays(days), TimeProvider.System);
            if (json) CliOutput.Json(Json(result).ToJsonString(CliOutput.JsonText));
            else Print(result);
            return ExitCodes.Ok;
        }
        catch (CliFailure failure)
        {
            Console.Error.WriteLine($"router: {failure.Message}");
            return failure.ExitCode;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            Console.Error.WriteLine($"router: cluster cert: {e.Message}");
            return ExitCodes.Usage;
        }
    }

    /// <summary><c>NAME</c> or <c>NAME=HOST[,HOST…]</c>.</summary>
    public static PairCertificates.NodeRequest ParseNode(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? text : text[..equals];
        if (!PairCertificates.IsValidName(name))
            throw new CliFailure(ExitCodes.Usage, $"'{name}' is not a node name: letters, digits, '-', '_' and '.', as in node-a=10.0.0.11");
        var hosts = equals < 0 ? [] : text[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (equals >= 0 && hosts.Length == 0) throw new CliFailure(ExitCodes.Usage, $"'{text}' names no host after '='");
        return new PairCertificates.NodeRequest(name, hosts);
    }

    private static void Print(PairCertificates.Result result)
    {
        var ca = result.Ca;
        CliOutput.Line($"{(result.CaReused ? "Signed with the CA already in" : "Made a new CA in")} {Path.GetDirectoryName(ca.CertificatePath)}:");
        CliOutput.Line($"  {ca.CertificatePath}  (SHA-256 {Colons(ca.Sha256)})");
        CliOutput.Line($"  {ca.KeyPath}  (the CA's key: it can make certificates the pair accepts; keep it off the nodes)");
        foreach (var node in result.Nodes)
        {
            CliOutput.Line("");
            CliOutput.Line($"# {node.Name}: copy {Path.GetFileName(ca.CertificatePath)}, {Path.GetFileName(node.CertificatePath)} and " +
                $"{Path.GetFileName(node.KeyPath)} there (the key mode 0600, owned by the router's user), then in its router.conf:");
            foreach (var line in ConfigLines(node, ca.CertificatePath)) CliOutput.Line(line);
            CliOutput.Line($"# its certificate's SHA-256, to pin it in the peer's peer-thumbprints instead of (or besides) ca: {Colons(node.Sha256)}");
        }
    }

    /// <summary>The <c>router.cluster.tls</c> block of one node, with the paths as written here.</summary>
    public static IEnumerable<string> ConfigLines(PairCertificates.Written node, string caPath) =>
    [
        "router.cluster.tls {",
        $"  certificate = {HoconQuoting.Quote(node.CertificatePath)}",
        $"  key = {HoconQuoting.Quote(node.KeyPath)}",
        $"  ca = {HoconQuoting.Quote(caPath)}",
        "}",
    ];

    private static JsonObject Json(PairCertificates.Result result) => new()
    {
        ["ca"] = new JsonObject
        {
            ["certificate"] = result.Ca.CertificatePath,
            ["key"] = result.Ca.KeyPath,
            ["sha256"] = result.Ca.Sha256,
            ["reused"] = result.CaReused,
        },
        ["nodes"] = new JsonArray([.. result.Nodes.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = n.Name,
            ["certificate"] = n.CertificatePath,
            ["key"] = n.KeyPath,
            ["sha256"] = n.Sha256,
            ["config"] = string.Join('\n', ConfigLines(n, result.Ca.CertificatePath)),
        })]),
    };

    /// <summary>A fingerprint as openssl prints it (AB:CD:…), which <c>peer-thumbprints</c> takes as it is.</summary>
    private static string Colons(string hex) =>
        string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2).ToUpper(CultureInfo.InvariantCulture)));
}
