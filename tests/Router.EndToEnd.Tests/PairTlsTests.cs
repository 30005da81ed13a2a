using System.Net;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The pair with TLS between its nodes (issue 22): it forms over <c>akka.ssl.tcp</c>, a process whose certificate
/// the pair's CA did not sign never becomes a member, and a node SIGKILLed under load fails over as in cleartext
/// (<see cref="PairFailoverTests"/>) and rejoins over TLS when started again; a node whose certificate file is
/// missing does not start. One pair serves every test here.
/// </summary>
[Collection(PairUnderLoad.Collection)]
public sealed class PairTlsTests(TlsPairFixture fixture, ITestOutputHelper output) : IClassFixture<TlsPairFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PairUnderLoad Pair => fixture.Pair;

    // PairFailoverTests holds failover to its 10 s; here it must survive TLS, within a request's handover-timeout.
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_pair_forms_over_TLS_and_a_host_whose_certificate_another_CA_signed_cannot_join()
    {
        var seeds = Pair.RemotingSeeds;
        foreach (var node in new[] { 0, 1 })
        {
            using var admin = Pair.Node(node).CreateClient(TlsPairFixture.MasterKey);
            var view = await admin.GetStringAsync("/admin/cluster", Ct);
            Assert.All(seeds, seed => Assert.Contains($"\"akka.ssl.tcp://router@{seed}\"", view, StringComparison.Ordinal));
            Assert.DoesNotContain("akka.tcp://", view, StringComparison.Ordinal);
        }

        // The intruder accepts the pair's nodes (it pins their certificates), so what keeps it out is the pair's
        // check of the certificate it presents: signed by another CA. It shares the pair's PostgreSQL, so it cannot
        // form a cluster of its own either while the pair holds the formation lease.
        var intruderCertificate = fixture.IntruderCertificates["nodes"]![0]!;
        var pins = string.Join(", ", new[] { 0, 1 }.Select(n => $"\"{fixture.PairCertificates["nodes"]![n]!["sha256"]!.GetValue<string>()}\""));
        var intruderConfig = ThirdNodeConfig($$"""
            cluster.tls {
              certificate = "{{intruderCertificate["certificate"]}}"
              key = "{{intruderCertificate["key"]}}"
              peer-thumbprints = [{{pins}}]
            }
            """);
        await using var intruder = await RouterProcess.StartAsync(intruderConfig, waitUntilReady: false);

        // Long enough for several join attempts and for the intruder to look for the formation lease.
        var watchUntil = DateTime.UtcNow + TimeSpan.FromSeconds(12);
        while (DateTime.UtcNow < watchUntil)
        {
            Assert.False(intruder.HasExited, $"the intruder exited with {(intruder.HasExited ? intruder.ExitCode : 0)}:\n{intruder.Output}");
            Assert.Equal(0, await PairNodes.MembersUpAsync(intruder));
            Assert.Equal((2.0, 2.0), (await PairNodes.MembersUpAsync(Pair.Node(0)), await PairNodes.MembersUpAsync(Pair.Node(1))));
            await Task.Delay(500, Ct);
        }
        using (var http = intruder.CreateClient(null))
        using (var readiness = await http.GetAsync("/health/readiness", Ct))
            Assert.NotEqual(HttpStatusCode.OK, readiness.StatusCode);

        // It was the certificate check that kept it out: the node it reached says so, naming the intruder's certificate.
        var refusals = new[] { 0, 1 }.SelectMany(n => Pair.Node(n).Output.Split('\n'))
            .Where(line => line.Contains("Refused the remoting connection", StringComparison.Ordinal)).ToList();
        output.WriteLine($"refusals logged by the pair: {refusals.Count}; the first: {refusals.FirstOrDefault()}");
        Assert.NotEmpty(refusals);
        Assert.All(refusals, line => Assert.Contains("CN=intruder", line, StringComparison.Ordinal));
        Assert.Contains(refusals, line => line.Contains("not signed by the pair's CA", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_node_whose_certificate_file_is_missing_does_not_start_and_names_the_setting()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"router-missing-{Guid.NewGuid():N}.pem");
        var config = ThirdNodeConfig(TlsPairFixture.TlsConfig(fixture.PairCertificates, 0)
            .Replace(fixture.PairCertificates["nodes"]![0]!["certificate"]!.GetValue<string>(), missing, StringComparison.Ordinal));
        await using var node = await RouterProcess.StartAsync(config, waitUntilReady: false);

        Assert.Equal(2, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"router: configuration error: router.cluster.tls.certificate: {missing} does not exist", node.Output, StringComparison.Ordinal);
    }

    /// <summary>A third node's config beside the pair (its own port, the pair's seeds and PostgreSQL), with <paramref name="tls"/>.</summary>
    private string ThirdNodeConfig(string tls)
    {
        var self = $"127.0.0.1:{LoopbackPort.Free()}";
        return $$"""
              master-key = "sk-e2e-third-node-master-4c6e8a0b2d"
              storage { provider = postgres, connection-string = "{{Pair.Postgres.ConnectionString}}" }
              cluster {
                enabled = true
                hostname = "127.0.0.1"
                port = {{self.Split(':')[1]}}
                seed-nodes = ["{{Pair.RemotingSeeds[0]}}", "{{Pair.RemotingSeeds[1]}}", "{{self}}"]
                join-timeout = 2s
              }
              {{tls}}
            """;
    }

    [Fact]
    public async Task A_node_killed_under_load_fails_over_to_its_peer_and_rejoins_over_TLS()
    {
        var keys = new List<string>();
        for (var i = 0; i < 8; i++) keys.Add(await Pair.GenerateKeyAsync(100m));
        Pair.StartLoad(0, keys, clients: 1);
        Pair.StartLoad(1, keys);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        var killedAt = DateTime.UtcNow;
        await Pair.Node(0).KillAsync();
        await Pair.StopLoadAsync(0);
        await Pair.UntilEveryKeyServedAsync(1, keys, killedAt, "the survivor did not serve every key again");
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        await Pair.StopLoadAsync(1);

        var afterKill = Pair.Outcomes.Where(o => o.Node == 1 && o.At > killedAt && keys.Contains(o.Key)).ToList();
        var failures = afterKill.Where(o => o.Status != HttpStatusCode.OK).ToList();
        var failover = Pair.EveryKeyServedAfter(1, keys, killedAt);
        output.WriteLine($"survivor answered {afterKill.Count - failures.Count} requests after the kill and failed {failures.Count} " +
            $"({PairUnderLoad.Tally(failures)}); every key answered again {failover.TotalSeconds:0.0} s after the kill");
        Assert.Empty(failures);
        Assert.True(failover < FailoverLimit, $"every key answered again only {failover.TotalSeconds:0.0} s after the kill");

        // Started again, the killed node joins its peer over TLS (StartNodeAsync waits for two members on both).
        await Pair.StartNodeAsync(0);
        using var http = Pair.Node(0).CreateClient(keys[0]);
        using var answer = await http.PostAsync("/v1/chat/completions", ErrorTests.Json("""{"model":"paid","max_tokens":8,"messages":[{"role":"user","content":"back"}]}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }
}
