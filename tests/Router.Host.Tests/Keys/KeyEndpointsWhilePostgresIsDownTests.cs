using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Tests.Storage;
using Router.Host.Tests.Tracing;

namespace Router.Host.Tests.Keys;

/// <summary>
/// Issue 17 through HTTP, on a router in this process over PostgreSQL: while the database is down, an existing key
/// is still served and readiness is degraded (not failing), and every key change is refused with a 503 that says
/// why and what still works. A class of its own: it stops its PostgreSQL.
/// </summary>
public sealed class KeyEndpointsWhilePostgresIsDownTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string MasterKey = "sk-keys-offline-master-5b7d9f1e3c2a4d6f";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Existing_keys_are_served_readiness_is_degraded_and_key_changes_answer_a_clear_503()
    {
        await using var router = await InProcessRouter.StartAsync($$"""
              master-key = "{{MasterKey}}"
              storage { provider = postgres, connection-string = {{HoconQuoting.Quote(await postgres.NewDatabaseAsync())}} }
            """);
        using var admin = router.CreateClient(MasterKey);
        using var made = await admin.PostAsync("/key/generate", Json("""{"key_alias":"offline-a"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        var key = JsonNode.Parse(await made.Content.ReadAsStringAsync(Ct))!["key"]!.GetValue<string>();

        await postgres.Server.StopAsync();

        using var anonymous = router.CreateClient(bearer: null);
        using (var readiness = await anonymous.GetAsync("/health/readiness", Ct))
        {
            var body = JsonNode.Parse(await readiness.Content.ReadAsStringAsync(Ct))!;
            Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
            Assert.Equal("degraded", body["status"]!.GetValue<string>());
            Assert.Equal("degraded", body["checks"]!["storage"]!.GetValue<string>());
        }

        using (var client = router.CreateClient(key))
        using (var models = await client.GetAsync("/v1/models", Ct))
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);

        foreach (var (path, body) in new[]
                 {
                     ("/key/generate", """{"key_alias":"offline-b"}"""),
                     ("/key/update", $$"""{"key":"{{key}}","key_alias":"renamed"}"""),
                     ("/key/block", $$"""{"key":"{{key}}"}"""),
                     ("/key/regenerate", $$"""{"key":"{{key}}"}"""),
                     ("/key/delete", $$"""{"keys":["{{key}}"]}"""),
                 })
        {
            using var refused = await admin.PostAsync(path, Json(body), Ct);
            var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["error"]!;
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{path}: {(int)refused.StatusCode} {error.ToJsonString()}");
            Assert.Equal("storage_unavailable", error["code"]!.GetValue<string>());
            Assert.Equal(
                "The router's database is down: keys cannot be created or changed until it is back. Existing keys keep working.",
                error["message"]!.GetValue<string>());
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        // Nothing of those changes was made: the key is still served, unblocked, under its secret.
        using (var client = router.CreateClient(key))
        using (var models = await client.GetAsync("/v1/models", Ct))
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);
    }
}
