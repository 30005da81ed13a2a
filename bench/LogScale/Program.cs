// Issue 26's figures. Two commands:
//   generate <data-dir | postgres connection string> <rows> [days, default 90] [batch, default the writer's 100]
//     writes <rows> synthetic requests, spread over the last <days> days, through the request log's own store
//     (RequestLogStore: the rows and their rollups in one transaction per batch, as the router's writer does; a
//     larger batch writes the same rows and totals sooner, for the largest logs),
//     with 200 keys and 40 models on 8 providers. A console tool rather than a hidden router subcommand: the
//     router's CLI stays what users see, and the tool calls the same classes the router's writer calls.
//   parts <data-dir | postgres connection string> <days> [repeats, default 5]
//     times each read the overview makes over the last <days> days, and the explorer's filter choices, in process, without a
//     router: which part costs what.
//   time <router-url> <master-key> [repeats, default 7]
//     signs in to the dashboard and times the overview page (rendered HTML) for each range, /spend/report for
//     each grouping and range, and /spend/logs' first and 1,000th page (by number and by cursor) for each filter;
//     prints one line per URL: its median and worst time in ms.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Router.Host.RequestLog;
using Router.Host.Storage;

return args.FirstOrDefault() switch
{
    "generate" => Generate(args[1], long.Parse(args[2], CultureInfo.InvariantCulture),
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 90,
        args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : RequestLogWriter.BatchRows),
    "parts" => Parts(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5),
    "time" => await TimeAsync(args[1], args[2], args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 7),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: LogScale generate <data-dir|postgres-connection-string> <rows> [days] [batch] | parts <target> <days> [repeats] | time <router-url> <master-key> [repeats]");
    return 2;
}

// A data directory (SQLite) or a PostgreSQL connection string.
static RouterStorage Open(string target) => target.Contains('=') ? new PostgresStorage(target) : new SqliteStorage(target);

static int Generate(string target, long rows, int days, int batchSize)
{
    using var storage = Open(target);
    storage.Prepare();
    var outboxDir = Directory.CreateTempSubdirectory("log-scale-outbox-").FullName;
    var store = new RequestLogStore(storage, RequestLogOutbox.Open(Path.Combine(outboxDir, RequestLogOutbox.FileName)), NullLogger.Instance,
        new RollupWriter("local"));
    var random = new Random(26);
    var end = DateTimeOffset.UtcNow;
    var start = end - TimeSpan.FromDays(days);
    var step = (end - start).Ticks / rows;
    var keyModels = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 3).Select(_ => random.Next(40)).ToArray()).ToArray();
    var batch = new List<RequestLogEntry>(batchSize);
    var clock = Stopwatch.StartNew();
    for (long i = 0; i < rows; i++)
    {
        var key = random.Next(200);
        var model = keyModels[key][random.Next(3)];
        var hit = random.Next(20) == 0;
        var status = random.Next(50) switch { 0 => 502, 1 => 429, 2 => 400, _ => 200 };
        var prompt = random.Next(50, 4000);
        var completion = status == 200 ? random.Next(10, 1000) : 0;
        var cost = status == 200 && !hit ? Math.Round(prompt * 0.000001m + completion * 0.000002m, 9) : 0;
        batch.Add(new RequestLogEntry
        {
            Time = start + TimeSpan.FromTicks(step * i + random.Next((int)Math.Min(step, int.MaxValue))),
            RequestId = "req_" + i.ToString("x", CultureInfo.InvariantCulture),
            KeyId = $"key_{key:D4}",
            KeyPrefix = $"sk-{key:D4}…",
            KeyAlias = $"team-{key:D4}",
            RequestedModel = $"model-{model:D2}",
            RoutedModel = $"model-{model:D2}",
            Provider = hit ? null : $"provider-{model % 8}",
            Deployment = hit ? null : $"provider-{model % 8}/model-{model:D2}",
            Status = status,
            UpstreamStatus = status == 429 || hit ? null : status,
            ErrorOrigin = status == 200 ? null : status == 429 ? "router" : "provider",
            PromptTokens = prompt,
            CompletionTokens = completion,
            Cost = cost,
            CacheHit = hit,
            Cache = hit ? "hit" : "miss",
            SavedCost = hit ? Math.Round(prompt * 0.000001m, 9) : 0,
            LatencyMs = Math.Exp(random.NextDouble() * 8), // 1 ms to 3 s, log-uniform
            TtftMs = random.Next(2) == 0 ? Math.Exp(random.NextDouble() * 6) : null,
            OverheadMs = random.NextDouble() * 2,
            Attempts = hit || status == 429 ? [] : [new AttemptLogEntry(1, $"provider-{model % 8}", $"provider-{model % 8}/model-{model:D2}", status, status, 100, null, "final")],
            Tags = random.Next(4) == 0 ? ["batch"] : [],
        });
        if (batch.Count == batchSize || i == rows - 1)
        {
            store.Store(batch);
            batch.Clear();
            if (!store.OutboxIsEmpty) throw new InvalidOperationException("the database did not take a batch");
        }
        if ((i + 1) % 100_000 == 0)
            Console.Error.WriteLine($"log-scale: {i + 1:N0} rows, {clock.Elapsed.TotalSeconds:F0} s, {(i + 1) / clock.Elapsed.TotalSeconds:F0} rows/s");
    }
    Console.WriteLine($"generated rows={rows} seconds={clock.Elapsed.TotalSeconds:F1} rows_per_second={rows / clock.Elapsed.TotalSeconds:F0}");
    Directory.Delete(outboxDir, recursive: true);
    return 0;
}

static int Parts(string target, int days, int repeats)
{
    using var storage = Open(target);
    var prepared = Stopwatch.StartNew();
    storage.Prepare(); // as the router does at start (a database from an older router is brought up to date here)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"prepare",-24} ms={prepared.Elapsed.TotalMilliseconds:F1}"));
    var query = new RequestLogQuery(storage);
    var from = DateTimeOffset.UtcNow.AddDays(-days);
    var parts = new (string Name, Action Read)[]
    {
        ("summary", () => query.Summary(from, null)),
        ("series model by day", () => query.Series("model", BucketWidth.Day, from, null)),
        ("percentiles model", () => query.Percentiles("model", from, null)),
        ("report model", () => query.Report("model", from, null)),
        ("report key", () => query.Report("key", from, null)),
        ("explorer filter choices", () => query.Choices()),
    };
    foreach (var (name, read) in parts)
    {
        var times = new List<double>();
        for (var i = 0; i < repeats + 1; i++)
        {
            var started = Stopwatch.GetTimestamp();
            read();
            if (i > 0) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-24} median_ms={times[times.Count / 2]:F1} max_ms={times[^1]:F1}"));
    }
    return 0;
}

static async Task<int> TimeAsync(string router, string masterKey, int repeats)
{
    var cookies = new CookieContainer();
    using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
    {
        BaseAddress = new Uri(router), Timeout = TimeSpan.FromMinutes(5),
    };
    var form = await http.GetStringAsync("/ui/login");
    var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
    using var login = await http.PostAsync("/ui/login", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Key"] = masterKey,
    }));
    if (login.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in answered {(int)login.StatusCode}");

    var now = DateTimeOffset.UtcNow;
    string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    var urls = new List<(string Name, string Url, bool Bearer)>();
    foreach (var range in new[] { "1h", "24h", "7d", "30d" }) urls.Add(($"overview {range}", $"/ui?range={range}", false));
    var ranges = new (string Name, string Query)[]
    {
        ("all", ""),
        ("24h", $"&from={Iso(now.AddDays(-1))}"),
        ("7d", $"&from={Iso(now.AddDays(-7))}"),
        ("30d", $"&from={Iso(now.AddDays(-30))}"),
        ("60d..30d", $"&from={Iso(now.AddDays(-60))}&to={Iso(now.AddDays(-30))}"),
    };
    foreach (var group in new[] { "model", "provider", "key", "day" })
    foreach (var (name, query) in ranges)
        urls.Add(($"report {group} {name}", $"/spend/report?group_by={group}{query}", true));

    // The explorer's pages (100 rows): the first, the 1,000th by number, and the 1,000th by cursor (page 999's next_before).
    var filters = new (string Name, string Query)[]
    {
        ("none", ""), ("provider", "&provider=provider-3"), ("status", "&status=200"), ("key", "&key=team-0007"),
        ("model", "&model=model-05"), ("tag", "&tag=batch"), ("tag absent", "&tag=absent"),
    };
    foreach (var (name, query) in filters)
    {
        urls.Add(($"logs {name} page 1", $"/spend/logs?size=100{query}", true));
        urls.Add(($"logs {name} page 1000", $"/spend/logs?size=100&page=1000{query}", true));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/spend/logs?size=100&page=999{query}");
        request.Headers.Authorization = new("Bearer", masterKey);
        using var response = await http.SendAsync(request);
        using var page = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (page.RootElement.TryGetProperty("next_before", out var next) && next.GetString() is { } cursor)
            urls.Add(($"logs {name} cursor 1000", $"/spend/logs?size=100&before={Uri.EscapeDataString(cursor)}{query}", true));
    }

    foreach (var (name, url, bearer) in urls)
    {
        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < repeats + 1; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (bearer) request.Headers.Authorization = new("Bearer", masterKey);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}");
            if (!bearer && !System.Text.Encoding.UTF8.GetString(body).Contains("data-testid=\"total-requests\"", StringComparison.Ordinal))
                throw new InvalidOperationException($"{url} did not render the overview (signed out?)");
            bytes = body.Length;
            if (i > 0) times.Add(ms); // the first warms the caches and the JIT
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-24} median_ms={times[times.Count / 2]:F1} max_ms={times[^1]:F1} bytes={bytes}"));
    }
    return 0;
}
