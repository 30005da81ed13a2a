using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using OpenAI;
using OpenAI.Chat;
using Router.Contracts.Messages;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// The pair on loopback for the tests that stop its nodes under load: PostgreSQL, a mock provider with a
/// priced model "paid" (<see cref="PairNodes.Config"/>), two router processes whose data directories outlive a
/// restart, continuous traffic over many keys (<see cref="LoadAsync"/>), and the ledger of what each key has
/// spent so far (<see cref="Spent"/>), checked against the costs of the answers the clients received.
/// </summary>
public sealed class PairUnderLoad : IAsyncDisposable
{
    /// <summary>The collection of the tests that use it (see <see cref="PairUnderLoadCollection"/>).</summary>
    public const string Collection = "pair-under-load";

    // A request of the load: 6 prompt tokens at 0.0001 and at most 3 completion tokens at 0.0002.
    public const decimal MaxRequestCost = 0.0012m;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _masterKey;
    private readonly string _extraConfig;
    private readonly Func<int, string>? _nodeConfig;
    private readonly int[] _remotingPorts = [LoopbackPort.Free(), LoopbackPort.Free()];
    private readonly RouterProcess?[] _nodes = new RouterProcess?[2];
    private readonly string[] _dataDirs = [Directory.CreateTempSubdirectory("router-pair-a-").FullName, Directory.CreateTempSubdirectory("router-pair-b-").FullName];
    private PostgresServer? _postgres;
    private MockOpenAiServer? _mock;

    private PairUnderLoad(string masterKey, string extraConfig, Func<int, string>? nodeConfig)
    {
        _masterKey = masterKey;
        _extraConfig = extraConfig;
        _nodeConfig = nodeConfig;
    }

    /// <summary>What each key had spent at the last check (<see cref="CheckSpendAsync"/>), or as a test set it.</summary>
    public Dictionary<string, decimal> Spent { get; } = [];

    /// <summary>
    /// Both nodes started at the same moment, with <paramref name="extraConfig"/> after the pair's config (and
    /// <paramref name="nodeConfig"/> of the node, for what differs between them, such as its certificate): they
    /// must make one cluster of two, never two clusters of one.
    /// </summary>
    public static async Task<PairUnderLoad> StartAsync(string masterKey, string extraConfig, Func<int, string>? nodeConfig = null)
    {
        var pair = new PairUnderLoad(masterKey, extraConfig, nodeConfig);
        try
        {
            pair._postgres = await PostgresServer.StartNewAsync();
            pair._mock = await MockOpenAiServer.StartAsync(record: false);
            await Task.WhenAll(pair.StartProcessAsync(0), pair.StartProcessAsync(1));
            await pair.WaitForTwoMembersAsync(TimeSpan.FromSeconds(30), "the two nodes did not form one cluster");
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    /// <summary>How many calls the provider has had for the model "paid": each one is charged, answered to a client or not.</summary>
    public int ProviderCalls => _mock!.CallsOf("echo-paid");

    public RouterProcess Node(int node) => _nodes[node] ?? throw new InvalidOperationException($"node {node} is not running");

    /// <summary>A cut of the link between the two nodes, for the tests that make one (<see cref="RemotingLinkCut.CutAsync"/>).</summary>
    public RemotingLinkCut Link => _link ??= new RemotingLinkCut(_remotingPorts);

    private RemotingLinkCut? _link;

    /// <summary>The nodes' remoting addresses as seed nodes (<c>127.0.0.1:port</c>).</summary>
    public IReadOnlyList<string> RemotingSeeds => [.. _remotingPorts.Select(p => $"127.0.0.1:{p}")];

    /// <summary>The pair's PostgreSQL, for the tests that stop it.</summary>
    public PostgresServer Postgres => _postgres!;

    /// <summary>Every request of the load so far (<see cref="StartLoad"/>).</summary>
    public ConcurrentBag<Outcome> Outcomes { get; } = [];

    private readonly (CancellationTokenSource Stop, Task[] Loaders)?[] _loads = new (CancellationTokenSource, Task[])?[2];

    /// <summary>Continuous traffic to the node: <paramref name="clients"/> clients, each going round the keys from another one.</summary>
    public void StartLoad(int node, IReadOnlyList<string> keys, int clients = 2)
    {
        var process = Node(node);
        var stop = new CancellationTokenSource();
        var loaders = Enumerable.Range(0, clients).Select(i =>
        {
            var first = i * keys.Count / clients;
            List<string> order = [.. keys.Skip(first), .. keys.Take(first)];
            return Task.Run(() => LoadAsync(process, node, order, Outcomes, stop.Token));
        }).ToArray();
        _loads[node] = (stop, loaders);
    }

    /// <summary>Waits until <paramref name="node"/> has answered each key with 200 since <paramref name="since"/>.</summary>
    public Task UntilEveryKeyServedAsync(int node, IReadOnlyList<string> keys, DateTime since, string what) =>
        WaitUntilAsync(() => Task.FromResult(keys.All(k => Outcomes.Any(o => o.Node == node && o.Key == k && o.At > since && o.Status == HttpStatusCode.OK))),
            TimeSpan.FromSeconds(60), what);

    /// <summary>How long after <paramref name="since"/> the last of the keys was answered by <paramref name="node"/> again (its first 200 since).</summary>
    public TimeSpan EveryKeyServedAfter(int node, IReadOnlyList<string> keys, DateTime since) =>
        keys.Max(k => Outcomes.Where(o => o.Node == node && o.Key == k && o.At > since && o.Status == HttpStatusCode.OK).Min(o => o.At)) - since;

    /// <summary>Stops the node's traffic, once each client has its last answer.</summary>
    public async Task StopLoadAsync(int node)
    {
        if (_loads[node] is not { } load) return;
        _loads[node] = null;
        using var stop = load.Stop;
        await stop.CancelAsync();
        await Task.WhenAll(load.Loaders);
    }

    private async Task StartProcessAsync(int node) =>
        _nodes[node] = await RouterProcess.StartAsync(
            PairNodes.Config(_masterKey, _postgres!, _mock!, _remotingPorts, node) + "\n" + _extraConfig + "\n" + _nodeConfig?.Invoke(node), _dataDirs[node]);

    /// <summary>Starts a node that was stopped or killed again, on its own data directory, and waits until it has rejoined its peer.</summary>
    public async Task StartNodeAsync(int node)
    {
        try
        {
            await StartProcessAsync(node);
            await WaitUntilAsync(async () => Node(node).HasExited
                    ? throw new InvalidOperationException($"the restarted node exited with {Node(node).ExitCode} while it joined:\n{Node(node).Output}")
                    : await PairNodes.MembersUpAsync(Node(0)) == 2 && await PairNodes.MembersUpAsync(Node(1)) == 2,
                TimeSpan.FromSeconds(60), "the restarted node did not rejoin");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException && _nodes[1 - node] is { } peer)
        {
            // Why a node could not join is as often in its peer's log as in its own.
            var peerLog = string.Join('\n', peer.Output.Split('\n').Where(l => !l.Contains("dead letters", StringComparison.Ordinal)).TakeLast(60));
            throw new InvalidOperationException($"{e.Message}\n--- the peer's last lines ---\n{peerLog}", e);
        }
    }

    /// <summary>
    /// Starts a node as systemd's <c>Restart=always</c> (<c>RestartSec=2</c>, docs/operations.md) keeps it running: a
    /// start that ends with the process exiting (its peer downed it while it joined) is followed by another, up to
    /// <paramref name="starts"/>. Returns how many starts it took to rejoin.
    /// </summary>
    public async Task<int> StartNodeAsSystemdWouldAsync(int node, int starts = 3)
    {
        for (var start = 1; ; start++)
        {
            try
            {
                await StartNodeAsync(node);
                return start;
            }
            catch (InvalidOperationException) when (start < starts && _nodes[node] is { HasExited: true })
            {
                await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            }
        }
    }

    private Task WaitForTwoMembersAsync(TimeSpan timeout, string what) =>
        WaitUntilAsync(async () => await PairNodes.MembersUpAsync(Node(0)) == 2 && await PairNodes.MembersUpAsync(Node(1)) == 2, timeout, what);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} within {timeout.TotalSeconds} s");
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>A key for the model "paid" with <paramref name="budget"/>, made through node 0.</summary>
    public Task<string> GenerateKeyAsync(decimal budget) =>
        Node(0).GenerateKeyAsync(_masterKey, new { models = new[] { "paid" }, max_budget = budget }, Ct);

    /// <summary>The key's settled spend as <paramref name="node"/> reads it from the key's actor (<c>/key/info</c>).</summary>
    public async Task<decimal> SpendAsync(RouterProcess node, string key)
    {
        using var admin = node.CreateClient(_masterKey);
        var info = JsonNode.Parse(await admin.GetStringAsync($"/key/info?key={Uri.EscapeDataString(key)}", Ct))!;
        return info["info"]!["spend"]!.GetValue<decimal>();
    }

    /// <summary>Each key's id (<c>key_…</c>), as <c>/key/info</c> on node 0 says.</summary>
    public async Task<Dictionary<string, string>> KeyIdsAsync(IEnumerable<string> keys)
    {
        using var admin = Node(0).CreateClient(_masterKey);
        Dictionary<string, string> ids = [];
        foreach (var key in keys)
        {
            var info = JsonNode.Parse(await admin.GetStringAsync($"/key/info?key={Uri.EscapeDataString(key)}", Ct))!;
            ids[key] = info["info"]!["key_id"]!.GetValue<string>();
        }
        return ids;
    }

    /// <summary>Each key's cost as its journal in PostgreSQL holds it: the sum of its usage events, by key id.</summary>
    public async Task<Dictionary<string, decimal>> JournaledCostsAsync()
    {
        await using var connection = new NpgsqlConnection(Postgres.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT persistence_id, message FROM journal WHERE manifest = 'kb-usage'", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Dictionary<string, decimal> costs = [];
        while (await reader.ReadAsync(Ct))
        {
            var keyId = reader.GetString(0)["key-budget-".Length..];
            var usage = JsonSerializer.Deserialize((byte[])reader[1], MessageJsonContext.Default.UsageRecorded)!;
            costs[keyId] = costs.GetValueOrDefault(keyId) + usage.Cost;
        }
        return costs;
    }

    /// <summary>The request log's rows in PostgreSQL for these key ids, and how many of them have status 200.</summary>
    public async Task<(long Rows, long Answered)> RequestRowsAsync(IEnumerable<string> keyIds)
    {
        await using var connection = new NpgsqlConnection(Postgres.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(*) FILTER (WHERE status = 200) FROM requests WHERE key_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", keyIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>How many key budget shards the node hosts, as it reports its region in <c>/admin/shards</c>.</summary>
    public async Task<int> ShardsHostedAsync(int node)
    {
        using var admin = Node(node).CreateClient(_masterKey);
        var stats = JsonNode.Parse(await admin.GetStringAsync("/admin/shards", Ct))!;
        var address = $"akka.tcp://router@127.0.0.1:{_remotingPorts[node]}";
        return stats["regions"]!.AsArray().Where(r => r!["address"]!.GetValue<string>() == address).Sum(r => r!["shards"]!.GetValue<int>());
    }

    /// <summary>
    /// A request of the load: which node it went to, for which key, when it ended and how long it took, its status
    /// and cost; with no answer, why (<see cref="HttpRequestError.ConnectionError"/>: the node refused the connection).
    /// </summary>
    public sealed record Outcome(int Node, string Key, DateTime At, TimeSpan Took, HttpStatusCode? Status, decimal Cost, HttpRequestError? Error = null);

    /// <summary>
    /// Sends requests to <paramref name="node"/> round the keys until stopped, through the OpenAI .NET SDK as a client
    /// application would (its retries off, so each answer is seen once); records each outcome.
    /// </summary>
    public static async Task LoadAsync(RouterProcess node, int index, IReadOnlyList<string> keys, ConcurrentBag<Outcome> outcomes, CancellationToken stop)
    {
        var clients = keys.ToDictionary(k => k, k => new OpenAIClient(new ApiKeyCredential(k), new OpenAIClientOptions
        {
            Endpoint = new Uri(node.BaseUrl + "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        }).GetChatClient("paid"));
        ChatMessage[] messages = [new UserChatMessage("one two three")];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 8 };
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var key = keys[n++ % keys.Count];
            var started = Stopwatch.GetTimestamp();
            try
            {
                var answer = (await clients[key].CompleteChatAsync(messages, options, Ct)).GetRawResponse();
                var cost = answer.Headers.TryGetValue("x-router-response-cost", out var header)
                    ? decimal.Parse(header!, NumberStyles.Number, CultureInfo.InvariantCulture)
                    : throw new InvalidOperationException("a 200 without x-router-response-cost");
                outcomes.Add(new Outcome(index, key, DateTime.UtcNow, Stopwatch.GetElapsedTime(started), (HttpStatusCode)answer.Status, cost));
            }
            catch (ClientResultException e) when (e.Status != 0)
            {
                outcomes.Add(new Outcome(index, key, DateTime.UtcNow, Stopwatch.GetElapsedTime(started), (HttpStatusCode)e.Status, 0));
            }
            catch (Exception e) when (e is ClientResultException or TaskCanceledException && !Ct.IsCancellationRequested)
            {
                // No answer: the node is gone (refused or closed the connection), or none came within the client's
                // timeout. A failure like any other, recorded as one; nothing spent that the client knows of.
                var error = e.InnerException is HttpRequestException http ? http.HttpRequestError : HttpRequestError.Unknown;
                outcomes.Add(new Outcome(index, key, DateTime.UtcNow, Stopwatch.GetElapsedTime(started), null, 0, error));
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    /// <summary>Outcomes counted by status, for a test's output: "ServiceUnavailable: 2, no answer (ConnectionError): 5".</summary>
    public static string Tally(IEnumerable<Outcome> outcomes) =>
        string.Join(", ", outcomes.GroupBy(o => o.Status?.ToString() ?? $"no answer ({o.Error})").Select(g => $"{g.Key}: {g.Count()}"));

    /// <summary>
    /// Reads each key's spend on <paramref name="node"/> and compares it with <see cref="Spent"/> plus the costs of
    /// the answers in <paramref name="outcomes"/> (those since the last check): asserts none of them is missing,
    /// and returns what the keys spent beyond them, in all. The ledger then holds the spend read.
    /// </summary>
    public async Task<decimal> CheckSpendAsync(RouterProcess node, IEnumerable<string> keys, IReadOnlyCollection<Outcome> outcomes)
    {
        var excess = 0m;
        foreach (var key in keys)
        {
            var answered = outcomes.Where(o => o.Key == key && o.Status == HttpStatusCode.OK).Sum(o => o.Cost);
            var spent = await SpendAsync(node, key);
            Assert.True(spent >= Spent[key] + answered, $"spend {spent} of a key lost some of its {Spent[key] + answered} answered");
            excess += spent - Spent[key] - answered;
            Spent[key] = spent;
        }
        return excess;
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoadAsync(0);
        await StopLoadAsync(1);
        if (_link is not null) await _link.DisposeAsync();
        foreach (var node in _nodes)
            if (node is not null) await node.DisposeAsync();
        if (_mock is not null) await _mock.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        foreach (var dir in _dataDirs) Directory.Delete(dir, recursive: true);
    }
}

/// <summary>
/// The tests that time a pair under load run one at a time, after the others: their promises are in
/// seconds (every key back within 10 s), and the rest of the suite sharing the two cores would stretch them.
/// </summary>
[CollectionDefinition(PairUnderLoad.Collection, DisableParallelization = true)]
public sealed class PairUnderLoadCollection;
