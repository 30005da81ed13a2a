using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The router and a PostgreSQL that speaks TLS with a certificate of a CA made here: with <c>SSL Mode=VerifyFull</c>
/// and that CA as its root, a node (in cluster mode, so the lease's connections are among them) stores, journals,
/// logs and leases over TLS, as the server itself reports in <c>pg_stat_ssl</c>, with its password read from a
/// file and shown nowhere; with a root that did not sign the server's certificate it refuses to start and says why.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresTlsTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-postgres-tls-master-8c2e4a6f1b3d";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly SelfSignedAuthority _authority = SelfSignedAuthority.Create("router test CA");
    private readonly SelfSignedAuthority _stranger = SelfSignedAuthority.Create("some other CA");
    private PostgresServer _postgres = null!;
    private MockOpenAiServer _mock = null!;
    private string _secrets = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartNewAsync(_authority.PostgresFiles());
        _mock = await MockOpenAiServer.StartAsync();
        _secrets = Directory.CreateTempSubdirectory("router-e2e-pg-tls-").FullName;
        await File.WriteAllTextAsync(RootCertificate, _authority.Certificate.ExportCertificatePem(), Ct);
        await File.WriteAllTextAsync(WrongRootCertificate, _stranger.Certificate.ExportCertificatePem(), Ct);
        await File.WriteAllTextAsync(PasswordFile, _postgres.Password + "\n", Ct);
        File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public async ValueTask DisposeAsync()
    {
        await _mock.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await _postgres.DisposeAsync();
        Directory.Delete(_secrets, recursive: true);
        _authority.Dispose();
        _stranger.Dispose();
    }

    private string RootCertificate => Path.Combine(_secrets, "pg-ca.pem");
    private string WrongRootCertificate => Path.Combine(_secrets, "other-ca.pem");
    private string PasswordFile => Path.Combine(_secrets, "pg.password");

    /// <summary>Host and database, no password: that comes from the file.</summary>
    private string ConnectionString(string root) =>
        $"Host=127.0.0.1;Port={_postgres.Port};Database={PostgresServer.Database};Username={PostgresServer.User};SSL Mode=VerifyFull;Root Certificate={root}";

    private string Config(string root) => $$"""
          master-key = "{{MasterKey}}"
          storage { provider = postgres, connection-string = "{{ConnectionString(root)}}", password-file = "{{PasswordFile}}" }
          cluster { enabled = true, hostname = "127.0.0.1", port = {{LoopbackPort.Free()}}, join-timeout = 1s, drain-delay = 0s }
          cache.enabled = false
          request-log.batch-interval = 200ms
          providers { mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}" } }
          models = [ { name = "tls/*", provider = mock } ]
        """;

    [Fact]
    public async Task Verifying_the_servers_certificate_the_router_stores_logs_and_leases_over_TLS_with_the_password_from_its_file()
    {
        await using var router = await RouterProcess.StartAsync(Config(RootCertificate));

        Assert.Contains("over TLS (SSL Mode=VerifyFull)", router.Output);
        using var http = router.CreateClient(MasterKey);
        using var answer = await http.PostAsync("/v1/chat/completions", Chat("tls/echo", "hello over tls"), Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("hello over tls", await answer.Content.ReadAsStringAsync(Ct));

        await using var database = await OpenAsync();
        await WaitForAsync(database, "SELECT COUNT(*) FROM requests WHERE requested_model = 'tls/echo'", "the request's log row");
        await WaitForAsync(database, "SELECT COUNT(*) FROM journal", "a journal event");
        await WaitForAsync(database, "SELECT COUNT(*) FROM cluster_leases", "the cluster's formation lease");

        // Every connection of the router's (storage, journal, lease pools), seen from the server: all encrypted.
        var connections = await ConnectionsBySslAsync(database);
        Assert.True(connections.GetValueOrDefault(true) >= 2, $"TLS connections from the router: {connections.GetValueOrDefault(true)}");
        Assert.Equal(0, connections.GetValueOrDefault(false));

        using var config = await http.GetAsync("/admin/config", Ct);
        var view = JsonNode.Parse(await config.Content.ReadAsStringAsync(Ct))!["storage"]!;
        Assert.Equal(PasswordFile, view["password-file"]!.GetValue<string>());
        Assert.Contains($"root certificate={RootCertificate}", view["connection-string"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_postgres.Password, view.ToJsonString());
        Assert.DoesNotContain(_postgres.Password, router.Output);
    }

    [Fact]
    public async Task With_VerifyFull_a_root_certificate_that_did_not_sign_the_server_stops_the_router_with_the_reason()
    {
        await using var router = await RouterProcess.StartAsync(Config(WrongRootCertificate), waitUntilReady: false);

        var exitCode = await router.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 3, $"exit code {exitCode}:\n{router.Output}");
        Assert.Contains($"storage unavailable: PostgreSQL at 127.0.0.1:{_postgres.Port}, database router, over TLS (SSL Mode=VerifyFull)", router.Output);
        Assert.Contains("The server's TLS certificate was not accepted", router.Output);
        Assert.DoesNotContain(_postgres.Password, router.Output);
        Assert.DoesNotContain("   at ", router.Output); // a reason, not a stack trace
    }

    /// <summary>A connection of the test's own, verified against the same CA.</summary>
    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString(RootCertificate))
        {
            Password = _postgres.Password,
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    private static async Task<Dictionary<bool, long>> ConnectionsBySslAsync(NpgsqlConnection database)
    {
        await using var command = new NpgsqlCommand("""
            SELECT s.ssl, COUNT(*) FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid
            WHERE a.datname = 'router' AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
            GROUP BY s.ssl
            """, database);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var counts = new Dictionary<bool, long>();
        while (await reader.ReadAsync(Ct)) counts[reader.GetBoolean(0)] = reader.GetInt64(1);
        return counts;
    }

    private static async Task WaitForAsync(NpgsqlConnection database, string sql, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            await using var command = new NpgsqlCommand(sql, database);
            if ((long)(await command.ExecuteScalarAsync(Ct))! > 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {what} in PostgreSQL within 20 s ({sql})");
            await Task.Delay(100, Ct);
        }
    }
}
