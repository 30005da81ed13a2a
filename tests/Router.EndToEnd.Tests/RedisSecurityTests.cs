using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Routers caching in a real redis-server that wants a password, and in one that speaks only TLS with a
/// certificate from a CA made here. The password is in the router's configuration string and must never
/// come out of the router: not in its output, /admin/config, readiness or /metrics.
/// </summary>
public sealed class RedisSecurityTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-redis-security-5d1c8e0b7a";
    private const string Password = "e2e-requirepass-91b7f3c0d2";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MockOpenAiServer _mock = null!;

    public async ValueTask InitializeAsync() => _mock = await MockOpenAiServer.StartAsync();

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    private Task<RouterProcess> StartRouterAsync(string cacheBlock) => RouterProcess.StartAsync($$"""
          master-key = "{{MasterKey}}"
          cache { {{cacheBlock}} }
          providers { mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}" } }
          models = [ { name = "mock/*", provider = mock } ]
        """);

    private static async Task<string> AskAsync(RouterProcess router, string model)
    {
        using var http = router.CreateClient(MasterKey);
        using var response = await http.PostAsync("/v1/chat/completions",
            Json($$"""{"model":"{{model}}","messages":[{"role":"user","content":"secured cache"}]}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var state = response.Headers.GetValues("x-router-cache").Single();
        // Stored just after it was sent: give the store that moment.
        if (state == "miss") await Task.Delay(150, Ct);
        return state;
    }

    /// <summary>Everything the router shows an operator or a scraper, and everything it printed.</summary>
    private static async Task<string> EverythingShownAsync(RouterProcess router)
    {
        using var http = router.CreateClient(MasterKey);
        var shown = new[]
        {
            await http.GetStringAsync("/admin/config", Ct),
            await http.GetStringAsync("/metrics", Ct),
            await http.GetStringAsync("/admin/cache", Ct),
            await (await http.GetAsync("/health/readiness", Ct)).Content.ReadAsStringAsync(Ct),
        };
        return string.Join("\n", shown) + "\n" + router.Output;
    }

    [Fact]
    public async Task A_redis_with_requirepass_serves_the_cache_with_the_password_in_the_string_and_refuses_a_router_without_it()
    {
        await using var redis = await RedisServer.StartNewAsync(new RedisSecurity(Password: Password));
        await using var withPassword = await StartRouterAsync($"redis = \"{redis.Endpoint},password={Password}\"");
        await using var without = await StartRouterAsync($"redis = \"{redis.Endpoint}\"");

        Assert.Equal(("miss", "hit"), (await AskAsync(withPassword, "mock/with-password"), await AskAsync(withPassword, "mock/with-password")));
        Assert.Equal(1, _mock.CallsOf("with-password"));
        Assert.Equal("1", (await redis.CliAsync(null, "DBSIZE")).Output);

        // Redis refuses the router without the password: it still answers every request, uncached, and says why.
        Assert.Equal(("miss", "miss"), (await AskAsync(without, "mock/without-password"), await AskAsync(without, "mock/without-password")));
        Assert.Equal(2, _mock.CallsOf("without-password"));
        using (var http = without.CreateClient(MasterKey))
        {
            var readiness = JsonNode.Parse(await (await http.GetAsync("/health/readiness", Ct)).Content.ReadAsStringAsync(Ct))!;
            Assert.StartsWith("redis unreachable", readiness["checks"]!["cache"]!.GetValue<string>());
        }
        Assert.Equal("1", (await redis.CliAsync(null, "DBSIZE")).Output);

        var shown = await EverythingShownAsync(withPassword) + await EverythingShownAsync(without);
        Assert.DoesNotContain(Password, shown);
        Assert.Contains($"Response cache: redis {redis.Endpoint}", withPassword.Output);
        Assert.Contains("password=********", shown);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_tls_only_redis_serves_the_cache_to_a_router_that_trusts_its_ca_with_the_password_from_a_file()
    {
        var dir = Directory.CreateTempSubdirectory("router-e2e-redis-tls-").FullName;
        try
        {
            using var authority = SelfSignedAuthority.Create("router-e2e-redis-ca");
            var files = authority.RedisFiles(dir, "redis.test");
            await using var redis = await RedisServer.StartNewAsync(new RedisSecurity(Password: Password, Tls: files));
            // The password from a file only the router's user reads, as a systemd credential would give it.
            var passwordFile = Path.Combine(dir, "redis-password");
            await File.WriteAllTextAsync(passwordFile, Password + "\n", Ct);
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await using var router = await StartRouterAsync(
                $"redis = \"{redis.Endpoint},ssl=true,sslHost=redis.test\", redis-password-file = \"{passwordFile}\", redis-ca = \"{files.CaFile}\"");

            Assert.Equal(("miss", "hit"), (await AskAsync(router, "mock/over-tls"), await AskAsync(router, "mock/over-tls")));
            Assert.Equal(1, _mock.CallsOf("over-tls"));
            Assert.Equal("1", (await redis.CliAsync(null, "DBSIZE")).Output);
            Assert.DoesNotContain(Password, await EverythingShownAsync(router));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_pair_node_caching_in_redis_without_a_cache_secret_refuses_to_start_and_says_which_setting()
    {
        await using var router = await RouterProcess.StartAsync("""
              master-key = "sk-e2e-redis-security-pair-node-01"
              storage { provider = postgres, connection-string = "Host=127.0.0.1;Port=1;Database=router;Username=r;Password=p" }
              cluster { enabled = true, hostname = "127.0.0.1", port = 4999, seed-nodes = ["127.0.0.1:4999"] }
              cache.redis = "127.0.0.1:6379"
            """, waitUntilReady: false);

        Assert.Equal(2, await router.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("router.cache.secret", router.Output);
        Assert.DoesNotContain("   at ", router.Output);
    }
}
