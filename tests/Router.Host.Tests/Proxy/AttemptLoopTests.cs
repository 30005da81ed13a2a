using System.Net;
using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Router.Actors.Breakers;
using Router.Actors.KeyBudgets;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Host.Cluster;
using Router.Host.Configuration;
using Router.Host.Proxy;
using Router.Tests.Shared;

namespace Router.Host.Tests.Proxy;

/// <summary>
/// The retry rules in process: a real selector, board and admission (over an actor that permits every call),
/// the real forwarder, and fake providers that play one shared script of answers, so a test says what the
/// first, second… call gets whichever deployment the strategy picks first.
/// </summary>
public sealed class AttemptLoopTests : IAsyncDisposable
{
    private const string Config = """
        routing { retries = 1 }
        providers {
          a { type = openai-compatible, api-base = "http://a.test/v1" }
          b { type = openai-compatible, api-base = "http://b.test/v1" }
          spare { type = openai-compatible, api-base = "http://spare.test/v1" }
        }
        models = [
          { name = "m", provider = a, fallbacks = [backup] }
          { name = "m", provider = b, fallbacks = [backup] }
          { name = "backup", provider = spare }
          { name = "solo", provider = a }
          { name = "solo", provider = b }
        ]
        """;

    private const string Answer = """{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}""";

    private readonly ActorSystem _system = ActorSystem.Create("attempt-loop-tests");
    private readonly Queue<HttpResponseMessage> _script = new();
    private readonly List<string> _called = [];
    private readonly List<ClientConnection> _clients = [];
    private RoutingConfig? _routing;
    private AttemptLoop? _loop;

    private static HttpResponseMessage Status(int status) =>
        FakeProvider.Json((HttpStatusCode)status, status == 200 ? Answer : """{"error":{"message":"no","type":"x"}}""");

    private void Play(params HttpResponseMessage[] answers)
    {
        foreach (var answer in answers) _script.Enqueue(answer);
    }

    /// <param name="extra">More of the router block (a retry budget).</param>
    private AttemptLoop Loop(string extra = "")
    {
        if (_loop is not null) return _loop;
        _routing = Exchanges.Routing(Config + extra, name => new FakeProvider(() =>
        {
            lock (_script)
            {
                _called.Add(name);
                return _script.Dequeue();
            }
        }));
        var board = new DeploymentBoard();
        var actor = _system.ActorOf(Props.Create(() => new PermitEverything()));
        var admission = new Admission(RequiredActors.Of<KeyBudgetActor>(actor), RequiredActors.Of<ProviderBreakersActor>(actor), board,
            TimeSpan.FromSeconds(5), KeyActorAsks.Once(TimeSpan.FromSeconds(5), "router.admission-timeout"));
        var settlements = new SettlementOutbox(admission, new SettlementSettings(false, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)),
            TimeProvider.System, NullLogger<SettlementOutbox>.Instance);
        // A clock that stands still: the retry budget refills only by requests, as the test makes them.
        var clock = new ManualClock();
        return _loop = new AttemptLoop(new DeploymentSelector(board, clock), board, admission, new UpstreamForwarder(), settlements, clock);
    }

    private async Task<(AttemptsResult Result, ClientConnection Client)> RunAsync(string model = "m", bool stream = false)
    {
        var loop = Loop();
        var client = new ClientConnection();
        _clients.Add(client);
        var result = await loop.RunAsync(Exchanges.For(_routing!, client, Exchanges.Request(model, stream)));
        return (result, client);
    }

    private static string Header(ClientConnection client, string name) => client.Response.Headers[name].ToString();

    [Fact]
    public async Task A_500_from_the_first_deployment_is_retried_on_the_second()
    {
        Play(Status(500), Status(200));

        var (result, client) = await RunAsync();

        Assert.Null(result.Outcome.Error);
        Assert.Equal("2", Header(client, "x-router-attempts"));
        Assert.Equal(2, _called.Distinct().Count());
        Assert.Equal(Answer, client.Body);
    }

    [Fact]
    public async Task A_400_is_the_callers_fault_and_is_not_retried()
    {
        Play(Status(400), Status(200));

        var (result, client) = await RunAsync();

        Assert.Equal(400, result.Outcome.Error?.Status);
        Assert.Equal("1", Header(client, "x-router-attempts"));
        Assert.Single(_called);
    }

    [Fact]
    public async Task The_fallback_model_is_tried_once_the_models_deployments_have_failed()
    {
        Play(Status(500), Status(503), Status(200));

        var (result, client) = await RunAsync();

        Assert.Null(result.Outcome.Error);
        Assert.Equal(("3", "backup", "backup"), (Header(client, "x-router-attempts"), Header(client, "x-router-fallback"), result.ServedBy));
        Assert.Equal("spare", _called[^1]);
    }

    [Fact]
    public async Task A_stream_that_has_reached_the_client_is_not_retried()
    {
        Play(FakeProvider.Stream(FakeProvider.Chunk("hel"), new IOException("Connection reset by peer")), Status(200));

        var (result, client) = await RunAsync(stream: true);

        // The client has part of the answer and the error event: the attempt is final (the relay reports no error to
        // write, and the response has started), though the provider failed.
        Assert.Equal(CallResult.ProviderFailed, result.Outcome.Result);
        Assert.Equal("1", Header(client, "x-router-attempts"));
        Assert.Single(_called);
        Assert.EndsWith(FakeProvider.Done, client.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_stop_once_the_models_retry_budget_is_spent()
    {
        // A budget starts with 20 retries in hand; a ratio of 1 % earns back almost nothing, and the clock stands still.
        Loop("\nretry { budget-ratio = 0.01, budget-min-per-second = 0 }");
        for (var i = 0; i < 20; i++)
        {
            Play(Status(500), Status(500));
            Assert.Equal("2", Header((await RunAsync("solo")).Client, "x-router-attempts"));
        }

        Play(Status(500), Status(500));
        var (result, client) = await RunAsync("solo");

        Assert.Equal("1", Header(client, "x-router-attempts"));
        Assert.Equal(500, result.Outcome.Error?.Status);
        Assert.Single(_script);
    }

    public async ValueTask DisposeAsync()
    {
        _routing?.Providers.Dispose();
        foreach (var client in _clients) client.Dispose();
        await _system.Terminate();
    }

    /// <summary>The key's actor and the breakers in one: every admission and permit is granted; settlements and reports are dropped.</summary>
    private sealed class PermitEverything : ReceiveActor
    {
        public PermitEverything()
        {
            Receive<KeyBudget.Admit>(admit => Sender.Tell(new ProviderBreaker.Permit(admit.DeploymentId)));
            Receive<ProviderBreaker.RequestPermit>(ask => Sender.Tell(new ProviderBreaker.Permit(ask.DeploymentId)));
            ReceiveAny(_ => { });
        }
    }
}
