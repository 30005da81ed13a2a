using System.Text.Json.Nodes;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// The pair with TLS on its remoting (<c>router.cluster.tls</c>), for all of <see cref="PairTlsTests"/>: the CA and the
/// two nodes' certificates made by <c>router cluster cert</c> run as an operator runs it, and a second CA with a
/// certificate of its own for an intruder; then PostgreSQL, a mock provider and the two nodes as
/// <see cref="PairUnderLoad"/> starts them, each with its own certificate and the pair's CA.
/// </summary>
public sealed class TlsPairFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-tls-pair-master-7e2a9c41d3";

    private readonly string _certificates = Directory.CreateTempSubdirectory("router-tls-certs-").FullName;

    public PairUnderLoad Pair { get; private set; } = null!;

    /// <summary>What <c>router cluster cert --json</c> said of the pair's certificates.</summary>
    public JsonNode PairCertificates { get; private set; } = null!;

    /// <summary>What it said of the intruder's: another CA, another certificate.</summary>
    public JsonNode IntruderCertificates { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        PairCertificates = await MakeCertificatesAsync("pair", "node-a", "node-b");
        IntruderCertificates = await MakeCertificatesAsync("intruder", "intruder");
        Pair = await PairUnderLoad.StartAsync(MasterKey, "cache.enabled = false", node => TlsConfig(PairCertificates, node));
    }

    /// <summary>The <c>router.cluster.tls</c> block the command printed for node <paramref name="node"/> (in its <c>cluster { }</c>).</summary>
    public static string TlsConfig(JsonNode certificates, int node) =>
        certificates["nodes"]![node]!["config"]!.GetValue<string>().Replace("router.cluster.tls", "cluster.tls", StringComparison.Ordinal);

    private async Task<JsonNode> MakeCertificatesAsync(string directory, params string[] nodes)
    {
        var result = await RouterCliProcess.RunAsync(null, ["cluster", "cert", "--out", Path.Combine(_certificates, directory), "--json", .. nodes]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Stdout)!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Pair is not null) await Pair.DisposeAsync();
        Directory.Delete(_certificates, recursive: true);
    }
}
