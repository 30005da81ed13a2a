using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>SIGTERM drains and stops in order: usage settled just before it is in the journal after.</summary>
public sealed class ShutdownTests
{
    private const string MasterKey = "sk-e2e-shutdown-master-key-000001";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_graceful_stop_exits_zero_and_keeps_the_usage_of_the_last_requests()
    {
        await using var mock = await MockOpenAiServer.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("router-e2e-stop-").FullName;
        try
        {
            await using (var router = await RouterProcess.StartAsync($$"""
                  master-key = "{{MasterKey}}"
                  # These tests repeat identical requests on purpose; the cache has its own tests (CacheTests).
                  cache.enabled = false
                  providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}" } }
                  models = [ { name = "m", provider = mock } ]
                """, dataDir))
            {
                using var http = router.CreateClient(MasterKey);
                for (var i = 0; i < 3; i++)
                {
                    using var response = await http.PostAsync("/v1/chat/completions", Chat("m", "four words right here"), Ct);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }

                // Straight after the last answer: well inside the 100 ms in which usage waits to be written.
                router.Terminate();

                Assert.Equal(0, await router.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            }

            var usage = JournaledUsage(Path.Combine(dataDir, "router.db"));
            Assert.Equal(3, usage.Sum(u => u["Requests"]!.GetValue<long>()));
            Assert.Equal(3 * 4, usage.Sum(u => u["CompletionTokens"]!.GetValue<long>()));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_stream_cut_by_the_stop_is_charged_to_its_key_and_logged_as_estimated()
    {
        await using var mock = await MockOpenAiServer.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("router-e2e-stop-").FullName;
        var config = $$"""
              master-key = "{{MasterKey}}"
              providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}" } }
              models = [ { name = "m/*", provider = mock } ]
              prices { "stream-stall" { input-cost-per-token = 0.001, output-cost-per-token = 0.002 } }
              stop-grace = 2s
            """;
        try
        {
            string key;
            await using (var router = await RouterProcess.StartAsync(config, dataDir))
            {
                key = await router.GenerateKeyAsync(MasterKey, new { max_budget = 10 }, Ct);
                using var http = router.CreateClient(key);
                // One chunk, then the provider says nothing more: the answer is still under way when the stop comes.
                using var response = await StreamingTests.PostStreamAsync(http, "m/stream-stall", includeUsage: null, text: "one two three");
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
                Assert.StartsWith("data: ", await reader.ReadLineAsync(Ct));

                router.Terminate();

                // The answer is cut once the grace is over, and says why before it ends.
                var rest = await reader.ReadToEndAsync(Ct);
                Assert.Contains("router_stopping", rest, StringComparison.Ordinal);
                Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
                Assert.Equal(0, await router.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }

            await using var restarted = await RouterProcess.StartAsync(config, dataDir);
            var info = await restarted.KeyInfoAsync(key, Ct);
            Assert.True(info["spend"]!.GetValue<decimal>() > 0, info.ToJsonString());
            Assert.Equal(info["spend"]!.GetValue<decimal>(), info["estimated_spend"]!.GetValue<decimal>());
            using var admin = restarted.CreateClient(MasterKey);
            var row = JsonNode.Parse(await admin.GetStringAsync("/spend/logs?model=m/stream-stall", Ct))!["data"]!.AsArray().Single()!;
            Assert.True(row["estimated"]!.GetValue<bool>(), row.ToJsonString());
            Assert.Equal(info["spend"]!.GetValue<decimal>(), row["cost"]!.GetValue<decimal>());
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static List<JsonObject> JournaledUsage(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM journal WHERE persistence_id = 'key-budget-master' AND manifest = 'kb-usage'";
        using var reader = command.ExecuteReader();
        var events = new List<JsonObject>();
        while (reader.Read()) events.Add((JsonObject)JsonNode.Parse((byte[])reader["message"])!);
        return events;
    }
}
