using System.Text;
using Router.EndToEnd.Tests.Fixtures;
using Router.Host.Providers;
using Router.Tests.Shared;

namespace Router.EndToEnd.Tests;

/// <summary>
/// No secret the router holds (provider keys from the file and from the environment, the master key, a virtual
/// key, the TLS password, the dashboard session) nor a wrong key a caller sent appears, whole or 16 characters of it,
/// in any answer the traffic got, in any GET endpoint the router maps, in its output, in the spans it exported, or in
/// any file of its data directory but the one meant to hold it.
/// </summary>
public sealed class SecretLeakTests(SecretLeakFixture fixture) : IClassFixture<SecretLeakFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private enum Caller { Anyone, Master, VirtualKey, Session }

    private sealed record Fetch(string Path, Caller Caller, bool Streams = false, int Status = 200);

    /// <summary>
    /// How each GET route of <see cref="RouterGetRoutes"/> is fetched, with what it takes to answer with content:
    /// the caller it serves, ids of things the traffic made, the query that shows the most.
    /// </summary>
    private Dictionary<string, Fetch[]> Plan() => new(StringComparer.Ordinal)
    {
        ["/v1/models"] = [new("/v1/models", Caller.Master), new("/v1/models", Caller.VirtualKey)],
        ["/models"] = [new("/models", Caller.VirtualKey)],
        ["/v1/model/info"] = [new("/v1/model/info", Caller.Master), new("/v1/model/info", Caller.VirtualKey)],
        ["/model/info"] = [new("/model/info", Caller.VirtualKey)],
        ["/v1/responses/{id}"] = [new($"/v1/responses/{fixture.StoredResponseId}", Caller.VirtualKey)],
        ["/responses/{id}"] = [new($"/responses/{fixture.StoredResponseId}", Caller.VirtualKey)],
        ["/health/liveness"] = [new("/health/liveness", Caller.Anyone)],
        ["/health/liveliness"] = [new("/health/liveliness", Caller.Anyone)],
        ["/health/readiness"] = [new("/health/readiness", Caller.Anyone)],
        ["/health/deployments"] = [new("/health/deployments", Caller.Master)],
        ["/key/list"] = [new("/key/list", Caller.Master)],
        // A secret in the query, as the endpoint allows: it must not come back.
        ["/key/info"] = [new($"/key/info?key={fixture.VirtualKey}", Caller.Master), new("/key/info", Caller.VirtualKey)],
        ["/spend/logs"] = [new("/spend/logs?size=1000", Caller.Master), new("/spend/logs?size=1000&format=csv", Caller.Master)],
        ["/spend/report"] = [new("/spend/report?group_by=key", Caller.Master), new("/spend/report?group_by=provider", Caller.Master)],
        ["/spend/export"] = [new("/spend/export?format=csv", Caller.Master), new("/spend/export?format=jsonl", Caller.Master)],
        ["/metrics"] = [new("/metrics", Caller.Anyone)],
        ["/admin/cluster"] = [new("/admin/cluster", Caller.Master)],
        ["/admin/cluster/events"] = [new("/admin/cluster/events", Caller.Master, Streams: true)],
        ["/admin/shards"] = [new("/admin/shards", Caller.Master)],
        ["/admin/shards/locate"] = [new($"/admin/shards/locate?key={fixture.VirtualKey}", Caller.Master)],
        ["/admin/breakers"] = [new("/admin/breakers", Caller.Master)],
        ["/admin/cache"] = [new("/admin/cache", Caller.Master)],
        ["/admin/log"] = [new("/admin/log?lines=1000", Caller.Master)],
        ["/admin/config"] = [new("/admin/config", Caller.Master)],
        ["/admin/alerts"] = [new("/admin/alerts", Caller.Master)],
        ["/ui"] = [new("/ui", Caller.Session)],
        ["/ui/login"] = [new("/ui/login", Caller.Anyone)],
        ["/ui/requests"] = [new("/ui/requests", Caller.Session)],
        ["/ui/requests/{Id}"] = [new($"/ui/requests/{fixture.EchoedRequestId}", Caller.Session)],
        ["/ui/deployments"] = [new("/ui/deployments", Caller.Session)],
        ["/ui/alerts"] = [new("/ui/alerts", Caller.Session)],
        ["/ui/models"] = [new("/ui/models", Caller.Session)],
        ["/ui/keys"] = [new("/ui/keys", Caller.Session)],
        ["/ui/keys/{Id}"] = [new($"/ui/keys/{fixture.VirtualKeyId}", Caller.Session), new($"/ui/keys/{fixture.VirtualKeyId}?delete=1", Caller.Session)],
        // Blazor answers it only with the protected address of a redirect to follow; without one, 400.
        ["/_framework/opaque-redirect"] = [new("/_framework/opaque-redirect", Caller.Session, Status: 400)],
    };

    [Fact]
    public void Every_get_route_the_router_maps_has_a_fetch_in_this_test() =>
        Assert.Equal(RouterGetRoutes.All.Order(StringComparer.Ordinal), Plan().Keys.Order(StringComparer.Ordinal));

    [Fact]
    public async Task No_get_endpoint_shows_a_secret()
    {
        var leaks = new List<string>();
        foreach (var (route, fetches) in Plan())
            foreach (var fetch in fetches)
            {
                var text = await FetchAsync(fetch);
                leaks.AddRange(fixture.Secrets.FoundIn(text).Select(secret => $"GET {route} ({fetch.Caller}): {secret}"));
            }
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }

    [Fact]
    public void No_answer_to_the_traffic_shows_a_secret()
    {
        var leaks = fixture.Answers.SelectMany(answer => fixture.Secrets.FoundIn(answer.Text).Select(secret => $"{answer.Label}: {secret}")).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        // The careless providers did echo the headers they got: the check above had something to find.
        Assert.Contains(fixture.Answers, answer => answer.Text.Contains("Headers received", StringComparison.Ordinal));
        Assert.Contains(fixture.Answers, answer => answer.Text.Contains("Bearer " + ProviderCredentials.Mask, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Neither_the_output_nor_the_exported_spans_nor_the_data_files_hold_a_secret()
    {
        // After every fetch above could have been logged, exported or written.
        foreach (var fetches in Plan().Values)
            foreach (var fetch in fetches) await FetchAsync(fetch);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // the log's and the exporter's batches (200 ms each)

        var leaks = fixture.Secrets.FoundIn(fixture.Router.Output).Select(secret => $"router output: {secret}").ToList();
        Assert.NotEmpty(fixture.Collector.Received);
        foreach (var (_, body) in fixture.Collector.Received)
            leaks.AddRange(fixture.Secrets.FoundIn(body).Select(secret => $"OTLP export: {secret}"));
        var files = DataFiles().ToList();
        Assert.Contains(files, file => Path.GetFileName(file).StartsWith("requests.db", StringComparison.Ordinal));
        foreach (var file in files)
            leaks.AddRange(fixture.Secrets.FoundIn(await ReadSharedAsync(file)).Select(secret => $"{Path.GetRelativePath(fixture.Router.DataDir, file)}: {secret}"));
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }

    /// <summary>
    /// Every file of the data directory but the two meant to hold secrets: <c>master.key</c> (a generated master key)
    /// and <c>test.conf</c>, the operator's configuration this test wrote there.
    /// </summary>
    private IEnumerable<string> DataFiles() =>
        Directory.EnumerateFiles(fixture.Router.DataDir, "*", SearchOption.AllDirectories)
            .Where(file => Path.GetFileName(file) is not ("master.key" or "test.conf"));

    /// <summary>Reads a file the running router may hold open (SQLite and its write-ahead log).</summary>
    private static async Task<byte[]> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    private async Task<string> FetchAsync(Fetch fetch)
    {
        using var http = fetch.Caller switch
        {
            Caller.Anyone => fixture.Router.CreateClient(null),
            Caller.Master => fixture.Router.CreateClient(SecretLeakFixture.MasterKey),
            Caller.VirtualKey => fixture.Router.CreateClient(fixture.VirtualKey),
            _ => fixture.Session.Client(fixture.Router),
        };
        using var response = await http.GetAsync(fetch.Path, HttpCompletionOption.ResponseHeadersRead, Ct);
        var body = fetch.Streams ? await ReadForAsync(response, TimeSpan.FromSeconds(1.5)) : await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == fetch.Status, $"GET {fetch.Path} ({fetch.Caller}) answered {(int)response.StatusCode}: {body}");
        return $"{SecretLeakFixture.Headers(response)}\n{body}";
    }

    /// <summary>What an endless stream sends within <paramref name="time"/>.</summary>
    private static async Task<string> ReadForAsync(HttpResponseMessage response, TimeSpan time)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(time);
        await using var stream = await response.Content.ReadAsStreamAsync(Ct);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, stop.Token)) > 0) received.Write(buffer, 0, read);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            // the time is up; the stream goes on without us
        }
        Assert.True(received.Length > 0, "the stream sent nothing");
        return Encoding.UTF8.GetString(received.ToArray());
    }
}
