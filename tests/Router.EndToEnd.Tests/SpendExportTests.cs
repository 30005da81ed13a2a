using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The request log read whole: <c>GET /spend/export</c> and <c>router spend export</c> give the rows <c>/spend/logs</c> gives (CSV
/// quoting a model name with a comma, quotes and a line break), and <c>/spend/logs</c>' cursor walks them each once.
/// </summary>
public sealed class SpendExportTests(RequestLogFixture fixture) : IClassFixture<RequestLogFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    // A key's alias is logged with each of its requests: one CSV must quote.
    private const string AwkwardAlias = "team,\"ops\"\nnight";

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Sends some requests and waits until the log holds them all; returns the range they fall in.</summary>
    private async Task<(string From, string To, JsonArray Rows)> LogSomeAsync(HttpClient http, int count)
    {
        // From now: the rows another test of this class wrote are older.
        var from = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            using var ok = await http.PostAsync("/v1/chat/completions", Chat("m", $"export {i}"), Ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using (var awkward = fixture.Router.CreateClient(await AwkwardKeyAsync(http)))
        using (var ok = await awkward.PostAsync("/v1/chat/completions", Chat("m", "awkward"), Ct))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var to = DateTimeOffset.UtcNow.AddSeconds(1);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var page = JsonNode.Parse(await http.GetStringAsync($"/spend/logs?from={Iso(from)}&to={Iso(to)}&size=1000", Ct))!;
            if (page["total"]!.GetValue<long>() == count + 1) return (Iso(from), Iso(to), page["data"]!.AsArray());
            Assert.True(DateTime.UtcNow < deadline, $"the log has {page["total"]} of {count + 1} rows");
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>A virtual key under <see cref="AwkwardAlias"/> (made once), its secret.</summary>
    private async Task<string> AwkwardKeyAsync(HttpClient master)
    {
        if (_awkwardKey is not null) return _awkwardKey;
        var body = new JsonObject { ["key_alias"] = AwkwardAlias + Guid.NewGuid().ToString("N")[..6], ["models"] = new JsonArray("m") };
        using var made = await master.PostAsync("/key/generate", Json(body.ToJsonString()), Ct);
        Assert.True(made.IsSuccessStatusCode, await made.Content.ReadAsStringAsync(Ct));
        return _awkwardKey = JsonNode.Parse(await made.Content.ReadAsStringAsync(Ct))!["key"]!.GetValue<string>();
    }

    private string? _awkwardKey;

    [Fact]
    public async Task The_export_gives_the_rows_of_spend_logs_as_json_lines_and_csv_through_the_endpoint_and_the_command_line()
    {
        using var http = fixture.Router.CreateClient(RequestLogFixture.MasterKey);
        var (from, to, logged) = await LogSomeAsync(http, 7);
        var byId = logged.ToDictionary(r => r!["request_id"]!.GetValue<string>(), r => r!);

        // JSON Lines, oldest first: each line is the row /spend/logs gives, attempts and all.
        using var jsonl = await http.GetAsync($"/spend/export?from={from}&to={to}&format=jsonl", Ct);
        Assert.Equal(HttpStatusCode.OK, jsonl.StatusCode);
        var lines = (await jsonl.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(byId.Count, lines.Count);
        Assert.All(lines, line => Assert.True(JsonNode.DeepEquals(byId[line["request_id"]!.GetValue<string>()], line), line.ToJsonString()));
        Assert.Equal(lines.Select(l => l["time"]!.GetValue<string>()).Order(StringComparer.Ordinal), lines.Select(l => l["time"]!.GetValue<string>()));

        // CSV through the command line into a file: the columns of /spend/logs?format=csv, the awkward name quoted back whole.
        var file = Path.Combine(Path.GetTempPath(), $"router-export-{Guid.NewGuid():N}.csv");
        try
        {
            var cli = await RouterCliProcess.RunAsync(RequestLogFixture.MasterKey, "spend", "export", "--from", Uri.UnescapeDataString(from),
                "--to", Uri.UnescapeDataString(to), "--out", file, "--node", fixture.Router.BaseUrl);
            Assert.True(cli.ExitCode == 0, cli.ToString());
            var exported = RequestLogTests.ParseCsv(await File.ReadAllTextAsync(file, Ct));
            var viaLogs = RequestLogTests.ParseCsv(await http.GetStringAsync($"/spend/logs?from={from}&to={to}&size=1000&format=csv", Ct));
            Assert.Equal(viaLogs[0], exported[0]);
            Assert.Equal(viaLogs.Skip(1).Select(r => string.Join('\u001f', r)).Order(), exported.Skip(1).Select(r => string.Join('\u001f', r)).Order());
            var alias = Array.IndexOf(exported[0], "key_alias");
            Assert.True(exported.Skip(1).Any(r => r[alias].StartsWith(AwkwardAlias, StringComparison.Ordinal)), string.Join(" | ", exported.Select(r => r[alias])));
            Assert.All(exported, r => Assert.Equal(exported[0].Length, r.Length));
        }
        finally
        {
            File.Delete(file);
        }

        // To standard output, as JSON Lines.
        var stdout = await RouterCliProcess.RunAsync(RequestLogFixture.MasterKey, "spend", "export", "--from", Uri.UnescapeDataString(from),
            "--to", Uri.UnescapeDataString(to), "--format", "jsonl", "--node", fixture.Router.BaseUrl);
        Assert.True(stdout.ExitCode == 0, stdout.ToString());
        Assert.Equal(byId.Keys.Order(), stdout.Stdout.Split('\n').Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!["request_id"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Following_next_before_gives_each_row_once_newest_first()
    {
        using var http = fixture.Router.CreateClient(RequestLogFixture.MasterKey);
        var (from, to, logged) = await LogSomeAsync(http, 5);

        var walked = new List<string>();
        var url = $"/spend/logs?from={from}&to={to}&size=2";
        for (var next = (string?)null; ; )
        {
            var page = JsonNode.Parse(await http.GetStringAsync(url + (next is null ? "" : "&before=" + Uri.EscapeDataString(next)), Ct))!;
            walked.AddRange(page["data"]!.AsArray().Select(r => r!["request_id"]!.GetValue<string>()));
            // A page asked by cursor reads its rows only: no count of them all.
            Assert.Equal(next is null, page["total"] is not null);
            next = page["next_before"]?.GetValue<string>();
            // Rows written meanwhile are newer than the walk's first page: never seen by it.
            using (var later = await http.PostAsync("/v1/chat/completions", Chat("m", "meanwhile"), Ct)) Assert.Equal(HttpStatusCode.OK, later.StatusCode);
            if (next is null) break;
        }

        Assert.Equal(logged.Select(r => r!["request_id"]!.GetValue<string>()), walked);
    }

    [Theory]
    [InlineData("/spend/logs?before=yesterday", "before")]
    [InlineData("/spend/logs?before=2026-01-31T12:00:00.000Z,x", "before")]
    [InlineData("/spend/logs?before=2026-01-31T12:00:00.000Z,4&page=2", "before")]
    [InlineData("/spend/export?format=xml", "format")]
    [InlineData("/spend/export?from=2026-02-01&to=2026-01-01", "to")]
    [InlineData("/spend/export?from=soon", "from")]
    public async Task Bad_paging_and_export_parameters_are_refused_naming_the_parameter(string url, string param)
    {
        using var http = fixture.Router.CreateClient(RequestLogFixture.MasterKey);
        using var response = await http.GetAsync(url, Ct);
        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_export_needs_the_master_key()
    {
        using var anonymous = fixture.Router.CreateClient(null);
        using var response = await anonymous.GetAsync("/spend/export", Ct);
        await ErrorOf(response, HttpStatusCode.Unauthorized);
    }
}
