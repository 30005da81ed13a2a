using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Host.Providers;
using Router.Host.Tests.Caching;

namespace Router.Host.Tests.Providers;

/// <summary>
/// When each provider behind a wildcard route is asked for its models, what a failure hides, and that the log
/// says each change of state once, never each poll and never the key.
/// </summary>
public sealed class ModelListRefreshTests : IDisposable
{
    private const string Key = "sk-refresh-test-provider-secret";
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    private static readonly ProviderTimeouts Timeouts =
        new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>The provider as the test wants it now: its models, or a status that refuses.</summary>
    private sealed class SwitchableProvider : HttpMessageHandler
    {
        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;
        public string[] Models { get; set; } = ["llama3", "qwen"];
        public int Calls { get; private set; }

        /// <summary>Completed unless a test holds the answer back.</summary>
        public Task Gate { get; set; } = Task.CompletedTask;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Calls++;
            await Gate.WaitAsync(ct);
            var body = Status == HttpStatusCode.OK
                ? "{\"data\":[" + string.Join(',', Models.Select(m => $"{{\"id\":\"{m}\"}}")) + "]}"
                : $"{{\"error\":{{\"message\":\"Incorrect API key provided: {Key}\"}}}}";
            return new HttpResponseMessage(Status) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request };
        }
    }

    private readonly ManualClock _clock = new();
    private readonly SwitchableProvider _provider = new();
    private readonly DiscoveredModels _lists = new();
    private readonly ListLogger<ModelListRefresh> _log = new();
    private readonly List<ProviderClients> _made = [];
    private ModelListSources _sources;
    private readonly ModelListRefresh _refresh;

    public ModelListRefreshTests()
    {
        _sources = Sources(Provider(), "box/*");
        _refresh = new ModelListRefresh(() => _sources, _lists, _clock, _log);
    }

    private static ProviderSettings Provider() =>
        new("box", ProviderType.OpenAiCompatible, new Uri("http://box.example/v1"), Key, true, new Dictionary<string, string>(), Timeouts);

    private ModelListSources Sources(ProviderSettings provider, params string[] routes)
    {
        var clients = new ProviderClients([provider], _ => _provider);
        _made.Add(clients);
        return new ModelListSources(
            RouteTable.Build(routes.Select(name => new ModelEntry(name, provider.Name, null)), new HashSet<string> { provider.Name }), clients, Interval);
    }

    private Task LookAsync() => _refresh.RefreshThoseDueAsync(Ct);

    [Fact]
    public async Task A_provider_is_asked_at_once_then_only_when_its_interval_has_passed()
    {
        await LookAsync();
        Assert.Equal(["llama3", "qwen"], _lists.Of("box"));

        _clock.Now += Interval - TimeSpan.FromSeconds(1);
        await LookAsync();
        Assert.Equal(1, _provider.Calls);

        _provider.Models = ["llama3", "mistral"];
        _clock.Now += TimeSpan.FromSeconds(1);
        await LookAsync();
        Assert.Equal(2, _provider.Calls);
        Assert.Equal(["llama3", "mistral"], _lists.Of("box"));
    }

    [Fact]
    public async Task A_refusal_hides_the_providers_models_with_one_warning_until_it_answers_again()
    {
        await LookAsync();
        _provider.Status = HttpStatusCode.Unauthorized;
        for (var i = 0; i < 3; i++)
        {
            _clock.Now += Interval;
            await LookAsync();
        }

        Assert.Empty(_lists.Of("box"));
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning).Message;
        Assert.Contains("'box' did not list its models", warning, StringComparison.Ordinal);
        Assert.Contains("401", warning, StringComparison.Ordinal);

        _provider.Status = HttpStatusCode.OK;
        _clock.Now += Interval;
        await LookAsync();
        Assert.Equal(["llama3", "qwen"], _lists.Of("box"));
        Assert.Equal(2, _log.Count(LogLevel.Information));
        Assert.All(_log.Entries, e => Assert.DoesNotContain(Key, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reload_that_changes_the_provider_asks_again_at_once()
    {
        await LookAsync();
        _provider.Models = ["new-model"];

        _sources = Sources(Provider(), "box/*");
        await LookAsync();

        Assert.Equal(2, _provider.Calls);
        Assert.Equal(["new-model"], _lists.Of("box"));
    }

    [Fact]
    public async Task A_provider_no_wildcard_route_sends_to_is_not_asked_and_its_list_is_forgotten()
    {
        await LookAsync();

        _sources = Sources(Provider(), "box-model");
        _clock.Now += Interval;
        await LookAsync();

        Assert.Equal(1, _provider.Calls);
        Assert.Empty(_lists.Of("box"));
    }

    [Fact]
    public async Task A_list_that_arrives_after_its_route_was_removed_is_not_brought_back()
    {
        var answer = new TaskCompletionSource();
        _provider.Gate = answer.Task;
        var underWay = LookAsync();

        _sources = Sources(Provider(), "box-model");
        await LookAsync();
        answer.SetResult();
        await underWay;

        Assert.Empty(_lists.Of("box"));
    }

    public void Dispose()
    {
        foreach (var clients in _made) clients.Dispose();
    }
}
