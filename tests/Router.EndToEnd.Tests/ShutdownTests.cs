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
