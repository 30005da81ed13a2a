using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using OpenAI;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests;

/// <summary>
/// <c>router.storage.provider = postgres</c> with a real PostgreSQL: keys, their spend (the journal) and the
/// request log live in it and nowhere else, survive a restart of the router, and readiness follows the
/// database. Each test has its own PostgreSQL, mock provider and router.
/// </summary>
public sealed class PostgresStorageTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-postgres-master-5b1d8e3c7a";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostgresServer _postgres = null!;
    private MockOpenAiServer _mock = null!;
    private string _dataDir = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartNewAsync();
        _mock = await MockOpenAiServer.StartAsync();
        _dataDir = Directory.CreateTempSubdirectory("router-e2e-pg-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await _mock.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await _postgres.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    private string Config => $$"""
          master-key = "{{MasterKey}}"
          storage { provider = postgres, connection-string = "{{_postgres.ConnectionString}}" }
          # Requests are repeated on purpose; the cache has its own tests (CacheTests).
          cache.enabled = false
          request-log.batch-interval = 200ms
          providers { mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}" } }
          models = [ { name = "pg/*", provider = mock } ]
          # A tenth of a cent per token, so spend is easy to check.
          prices { "pg/echo" { input-cost-per-token = 0.001, output-cost-per-token = 0.001 } }
        """;

    private Task<RouterProcess> StartRouterAsync() => RouterProcess.StartAsync(Config, _dataDir);

    private static OpenAIClient Sdk(RouterProcess router, string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(router.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    private static Task<string> GenerateKeyAsync(RouterProcess router) =>
        router.GenerateKeyAsync(MasterKey, new { models = new[] { "pg/*" }, max_budget = 10, key_alias = "pg-team" }, Ct);

    private static async Task SendAsync(RouterProcess router, string key, int count)
    {
        var chat = Sdk(router, key).GetChatClient("pg/echo");
        for (var i = 0; i < count; i++)
        {
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage($"hello postgres {i}")], cancellationToken: Ct);
            Assert.Equal($"hello postgres {i}", completion.Content[0].Text);
        }
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task WaitForRowsAsync(string sql, long count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await ScalarAsync(sql) < count)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {count} rows of: {sql}");
            await Task.Delay(100, Ct);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_key_its_spend_and_its_request_log_survive_a_restart_in_postgres_and_nothing_is_written_to_sqlite(bool kill)
    {
        string key;
        JsonNode before;
        await using (var router = await StartRouterAsync())
        {
            Assert.Contains($"Storage: PostgreSQL at 127.0.0.1:{_postgres.Port}, database router", router.Output, StringComparison.Ordinal);
            key = await GenerateKeyAsync(router);
            await SendAsync(router, key, 5);
            before = await router.KeyInfoAsync(key, Ct);
            Assert.Equal(5, before["requests"]!.GetValue<long>());
            Assert.True(before["spend"]!.GetValue<decimal>() > 0);
            await WaitForRowsAsync("SELECT COUNT(*) FROM requests WHERE key_alias = 'pg-team'", 5);

            if (kill)
            {
                await router.KillAsync();
            }
            else
            {
                router.Terminate();
                Assert.Equal(0, await router.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            }
            Assert.DoesNotContain(_postgres.Password, router.Output, StringComparison.Ordinal);
        }

        await using (var router = await StartRouterAsync())
        {
            var after = await router.KeyInfoAsync(key, Ct);
            Assert.Equal(before["key_id"]!.GetValue<string>(), after["key_id"]!.GetValue<string>());
            Assert.Equal("pg-team", after["key_alias"]!.GetValue<string>());
            Assert.Equal(before["spend"]!.GetValue<decimal>(), after["spend"]!.GetValue<decimal>());
            Assert.Equal(5, after["requests"]!.GetValue<long>());

            // The key still admits, and spend goes on from where it was.
            await SendAsync(router, key, 1);
            Assert.Equal(6, (await router.KeyInfoAsync(key, Ct))["requests"]!.GetValue<long>());

            await WaitForRowsAsync("SELECT COUNT(*) FROM requests WHERE key_alias = 'pg-team'", 6);
            using var admin = router.CreateClient(MasterKey);
            var logs = JsonNode.Parse(await admin.GetStringAsync("/spend/logs?key=pg-team", Ct))!;
            Assert.Equal(6, logs["total"]!.GetValue<long>());
            Assert.DoesNotContain(_postgres.Password, router.Output, StringComparison.Ordinal);
        }

        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM virtual_keys WHERE alias = 'pg-team'"));
        Assert.Equal(6, await ScalarAsync("SELECT COUNT(*) FROM requests WHERE key_alias = 'pg-team'"));
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM journal") > 0);
        Assert.Empty(Directory.EnumerateFiles(_dataDir, "*.db*"));
    }

    [Fact]
    public async Task Readiness_reports_the_database_down_while_postgres_is_stopped_and_recovers_when_it_returns()
    {
        await using var router = await StartRouterAsync();
        using var http = router.CreateClient(bearer: null);

        await _postgres.StopAsync();
        // Degraded, not failing: the node still serves existing keys from its key directory's index.
        var down = await ReadinessAsync(http, HttpStatusCode.OK, storage: "degraded");
        Assert.Equal("degraded", down["status"]!.GetValue<string>());
        Assert.DoesNotContain(_postgres.Password, down.ToJsonString(), StringComparison.Ordinal);
        // A key the router has not seen must be looked up in the database: the caller is told to come back.
        using (var stranger = router.CreateClient("sk-not-a-key-the-router-has-seen-0001"))
        using (var refused = await stranger.PostAsync("/v1/chat/completions",
                   ErrorTests.Json("""{"model":"pg/echo","messages":[{"role":"user","content":"x"}]}"""), Ct))
        {
            var error = await ErrorTests.ErrorOf(refused, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("storage_unavailable", error["code"]!.GetValue<string>());
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        await _postgres.StartAsync();
        // Ready once the database answers and the refused request's log row, kept in the outbox meanwhile, is in it
        // (the outbox is tried again every second): until then "degraded", naming the rows that wait.
        var up = await ReadinessAsync(http, HttpStatusCode.OK, storage: "ok", overall: "ready");
        Assert.Equal("ready", up["status"]!.GetValue<string>());

        // And the router serves from the database again.
        var key = await GenerateKeyAsync(router);
        await SendAsync(router, key, 1);
        Assert.DoesNotContain(_postgres.Password, router.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_router_whose_postgres_cannot_be_reached_at_start_exits_3_naming_the_host_but_not_the_password()
    {
        await _postgres.StopAsync();

        await using var router = await RouterProcess.StartAsync(Config, _dataDir, waitUntilReady: false);

        Assert.Equal(3, await router.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"router: storage unavailable: PostgreSQL at 127.0.0.1:{_postgres.Port}, database router", router.Output,
            StringComparison.Ordinal);
        Assert.DoesNotContain(_postgres.Password, router.Output, StringComparison.Ordinal);
    }

    /// <summary>Polls readiness until it answers <paramref name="status"/> with the storage check <paramref name="storage"/> (within 20 s); its body.</summary>
    /// <summary>Waits (20 s at most) for readiness to answer <paramref name="status"/> with its storage check and, when given, its overall status.</summary>
    private static async Task<JsonNode> ReadinessAsync(HttpClient http, HttpStatusCode status, string storage, string? overall = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await http.GetAsync("/health/readiness", Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            var readiness = JsonNode.Parse(body)!;
            if (response.StatusCode == status && readiness["checks"]?["storage"]?.GetValue<string>() == storage
                && (overall is null || readiness["status"]?.GetValue<string>() == overall))
                return readiness;
            if (DateTime.UtcNow > deadline) Assert.Fail($"readiness stayed {(int)response.StatusCode}: {body}");
            await Task.Delay(200, Ct);
        }
    }
}
