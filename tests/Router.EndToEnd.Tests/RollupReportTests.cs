using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// <c>/spend/report</c> reads the rollups, never the rows: after varied traffic (two keys, priced models, a fallback,
/// provider errors, streamed answers) every grouping's figures equal the sums over the rows <c>/spend/logs</c> lists,
/// to the cent, on SQLite and on PostgreSQL.
/// </summary>
public sealed class RollupReportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Report_figures_from_rollups_equal_the_sums_over_the_logged_rows(string storage)
    {
        await using var mock = await MockOpenAiServer.StartAsync();
        await using var postgres = storage == "postgres" ? await PostgresServer.StartNewAsync() : null;
        var config = RequestLogFixture.Config(mock)
                     + (postgres is null ? "" : $"\nstorage {{ provider = postgres, connection-string = \"{postgres.ConnectionString}\" }}\n");
        var dataDir = Directory.CreateTempSubdirectory("router-e2e-rollups-").FullName;
        try
        {
            await using var router = await RouterProcess.StartAsync(config, dataDir);
            var virtualKey = await router.GenerateKeyAsync(RequestLogFixture.MasterKey, new { key_alias = "rollup-team", max_budget = 100 }, Ct);
            using var master = router.CreateClient(RequestLogFixture.MasterKey);
            using var team = router.CreateClient(virtualKey);
            var sent = 0;
            for (var i = 0; i < 12; i++)
            {
                var http = i % 3 == 0 ? team : master;
                var model = (i % 4) switch { 0 => "m", 1 => "paged", 2 => "bad", _ => "primary" };
                var stream = i % 5 == 0 && model != "bad";
                var body = stream
                    ? $$"""{"model":"{{model}}","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"rollup text {{i}} {{new string('x', i * 7)}}"}]}"""
                    : $$"""{"model":"{{model}}","messages":[{"role":"user","content":"rollup text {{i}} {{new string('x', i * 7)}}"}]}""";
                using var response = await http.PostAsync("/v1/chat/completions", Json(body), Ct);
                await response.Content.ReadAsStringAsync(Ct);
                sent++;
            }

            var rows = await LoggedRowsAsync(master, sent);
            Assert.Contains(rows, r => r["status"]!.GetValue<int>() >= 400);
            Assert.Contains(rows, r => r["ttft_ms"] is not null);
            var groups = new Dictionary<string, Func<JsonNode, string?>>
            {
                ["model"] = r => (string?)r["requested_model"],
                ["provider"] = r => (string?)r["provider"],
                ["key"] = r => (string?)r["key_id"],
                ["day"] = r => ((string)r["time"]!)[..10],
            };
            foreach (var (groupBy, group) in groups)
            {
                var report = (await master.GetFromJsonAsync<JsonObject>($"/spend/report?group_by={groupBy}", Ct))!["data"]!.AsArray();
                var expected = rows.GroupBy(group).ToList();
                Assert.Equal(expected.Count, report.Count);
                foreach (var g in expected)
                {
                    var row = report.Single(r => (string?)r!["group"] == g.Key)!;
                    Assert.Equal(g.Count(), row["requests"]!.GetValue<long>());
                    Assert.Equal(g.Sum(r => r["prompt_tokens"]!.GetValue<long>()), row["prompt_tokens"]!.GetValue<long>());
                    Assert.Equal(g.Sum(r => r["completion_tokens"]!.GetValue<long>()), row["completion_tokens"]!.GetValue<long>());
                    Assert.Equal(g.Count(r => r["status"]!.GetValue<int>() >= 400), row["errors"]!.GetValue<long>());
                    Assert.Equal(Math.Round(g.Sum(r => r["cost"]!.GetValue<decimal>()), 2), Math.Round(row["cost"]!.GetValue<decimal>(), 2));
                    Assert.Equal(g.Sum(r => r["cost"]!.GetValue<decimal>()), row["cost"]!.GetValue<decimal>(), 9);
                }
            }
            if (postgres is not null) Assert.True(await RollupRowsAsync(postgres) > 0); // counted where the rows are
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>Polls /spend/logs until every request sent is listed; returns the rows.</summary>
    private static async Task<List<JsonNode>> LoggedRowsAsync(HttpClient master, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var page = (await master.GetFromJsonAsync<JsonObject>("/spend/logs?size=1000", Ct))!;
            if (page["total"]!.GetValue<long>() >= count) return page["data"]!.AsArray().Select(r => r!).ToList();
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {count} logged requests");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task<long> RollupRowsAsync(PostgresServer postgres)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM request_rollups_minute_by_model", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), CultureInfo.InvariantCulture);
    }
}
