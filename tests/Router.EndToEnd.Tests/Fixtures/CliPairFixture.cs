using System.Globalization;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// A live two-node cluster for the command line's tests: PostgreSQL, a mock provider and two router nodes
/// on loopback, shaped as in <see cref="PairFailoverTests"/>, each with its own in-memory cache. A test
/// that stops a node starts it again (<see cref="StartNodeAsync"/>) before it ends.
/// </summary>
public sealed class CliPairFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-cli-master-5c1d9e7b3a-7e3c9a1";

    private readonly int[] _remotingPorts = [LoopbackPort.Free(), LoopbackPort.Free()];
    private readonly RouterProcess?[] _nodes = new RouterProcess?[2];
    private readonly string[] _dataDirs = [Directory.CreateTempSubdirectory("router-cli-a-").FullName, Directory.CreateTempSubdirectory("router-cli-b-").FullName];

    public PostgresServer Postgres { get; private set; } = null!;
    public MockOpenAiServer Mock { get; private set; } = null!;

    /// <summary>A node's cluster address, as the admin API and the command line name members.</summary>
    public string Address(int node) => $"akka.tcp://router@127.0.0.1:{_remotingPorts[node]}";

    public string RemotingSeed(int node) => $"127.0.0.1:{_remotingPorts[node]}";

    public RouterProcess Node(int node) => _nodes[node] ?? throw new InvalidOperationException($"node {node} is not running");

    /// <summary>The node's HTTP address as <c>--node</c> takes it.</summary>
    public string Http(int node) => new Uri(Node(node).BaseUrl).Authority;

    public async ValueTask InitializeAsync()
    {
        Postgres = await PostgresServer.StartNewAsync();
        Mock = await MockOpenAiServer.StartAsync(record: false);
        // Started at the same moment, as an operator's two machines would be.
        await Task.WhenAll(StartProcessAsync(0), StartProcessAsync(1));
        await WaitForTwoMembersAsync();
    }

    /// <summary>Starts the node again and waits until both nodes see two members up.</summary>
    public async Task StartNodeAsync(int node)
    {
        await StartProcessAsync(node);
        await WaitForTwoMembersAsync();
    }

    private async Task StartProcessAsync(int node) => _nodes[node] = await RouterProcess.StartAsync(PairNodes.Config(MasterKey, Postgres, Mock, _remotingPorts, node), _dataDirs[node]);

    private async Task WaitForTwoMembersAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await PairNodes.MembersUpAsync(Node(0)) == 2 && await PairNodes.MembersUpAsync(Node(1)) == 2))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the two nodes did not form one cluster:\n{Node(0).Output}\n{Node(1).Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>Kills the node's process if it still runs, and forgets it (a node that exited by itself too).</summary>
    public async Task StopNodeAsync(int node)
    {
        if (_nodes[node] is not { } process) return;
        await process.DisposeAsync();
        _nodes[node] = null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
            if (node is not null) await node.DisposeAsync();
        await Mock.DisposeAsync();
        await Postgres.DisposeAsync();
        foreach (var dir in _dataDirs)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a temp directory
            }
        }
    }
}

[CollectionDefinition("cli-pair")]
public sealed class CliPairCollection : ICollectionFixture<CliPairFixture>;
