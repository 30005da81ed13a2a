using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Alerts through a real router to a loopback webhook receiver standing in for a generic webhook, ntfy, Gotify,
/// Discord and Slack (and a generic target that fails twice before it takes a message, and one where nothing
/// listens): <c>router alerts test</c> reaches every target and reports the dead one; real events (a circuit
/// opening, failing on and closing, a key's budget passing 80 % and 100 %, Redis killed and started again) arrive
/// at each target once per state change, in its format, with no secret in any payload; <c>/admin/alerts</c> and
/// <c>/ui/alerts</c> list them with each delivery's status. PostgreSQL stopped and started again is sent once each way.
/// </summary>
public sealed class AlertsTests
{
    private const string MasterKey = "sk-e2e-alerts-master-5c1d9e2a7b4f60";
    private const string ProviderSecret = "sk-planted-provider-secret-alerts-8e4f";
    private const string NtfyToken = "tk_ntfy-token-e2e-91ab";
    private const string GotifyToken = "gotify-app-token-e2e-22cd";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Targets = ["generic", "ntfy", "gotify", "discord", "slack", "flaky"];

    private static string Config(MockOpenAiServer mock, RedisServer redis, WebhookReceiver hooks, int deadPort) => $$"""
          master-key = "{{MasterKey}}"
          providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}", api-key = "{{ProviderSecret}}" } }
          models = [
            { name = "budget/*", provider = mock }
            { name = "cached/*", provider = mock }
            # Fails its first two calls, then answers: two failures open the circuit, the probe after the cooldown closes it.
            { name = "shaky", provider = mock, model = "flaky-2-alerts", retries = 0 }
          ]
          breaker { consecutive-failures-to-open = 2, cooldown = 1s }
          budgets.min-completion-tokens = 1
          # "hi" answered with 4 prompt and 1 completion tokens costs $0.0014.
          prices { "budget/echo" { input-cost-per-token = 0.0001, output-cost-per-token = 0.001 } }
          cache { redis = "{{redis.Endpoint}}", models { "budget/*" { enabled = false } } }
          alerts {
            sample-interval = 200ms
            hold-off = 0s
            retry-delay = 100ms
            attempts = 4
            provider-failing-after = 600ms
            targets = [
              { name = generic, url = "{{hooks.Root}}/generic" }
              { name = ntfy, format = ntfy, url = "{{hooks.Root}}/ntfy/router-alerts", token = "{{NtfyToken}}" }
              { name = gotify, format = gotify, url = "{{hooks.Root}}/gotify", token = "{{GotifyToken}}" }
              { name = discord, format = discord, url = "{{hooks.Root}}/discord/api/webhooks/1/hook-token" }
              { name = slack, format = slack, url = "{{hooks.Root}}/slack/services/T0/B0/hook-token" }
              { name = flaky, url = "{{hooks.Root}}/flaky" }
              # Nothing listens there: its deliveries are tried `attempts` times, then marked failed.
              { name = dead, url = "http://127.0.0.1:{{deadPort}}/hook", events = [circuit-open] }
            ]
          }
        """;

    [Fact]
    public async Task Each_event_reaches_each_format_once_per_state_change_without_a_secret()
    {
        await using var mock = await MockOpenAiServer.StartAsync(requiredKey: ProviderSecret);
        await using var redis = await RedisServer.StartNewAsync();
        await using var hooks = await WebhookReceiver.StartAsync(failFirst: 2);
        await using var router = await RouterProcess.StartAsync(Config(mock, redis, hooks, LoopbackPort.Free()));
        using var master = router.CreateClient(MasterKey);

        // router alerts test: every target, each in its format; the flaky one after two 503s.
        // The dead target did not take it: the command says so with exit code 8, after printing every outcome.
        var test = await RouterCliProcess.RunAsync(MasterKey, "alerts", "test", "--node", router.BaseUrl, "--json");
        Assert.True(test.ExitCode == 8, test.ToString());
        Assert.Contains("a target did not take the test notification", test.Stderr);
        var outcomes = JsonNode.Parse(test.Stdout)!["deliveries"]!.AsArray().ToDictionary(d => (string)d!["target"]!, d => d!);
        Assert.Equal([.. Targets, "dead"], outcomes.Keys);
        Assert.All(Targets, t => Assert.Equal("sent", (string)outcomes[t]["status"]!));
        Assert.Equal(("failed", 4, "connection failed"),
            ((string)outcomes["dead"]["status"]!, (int)outcomes["dead"]["attempts"]!, (string)outcomes["dead"]["error"]!));
        Assert.Equal((1, 3), ((int)outcomes["generic"]["attempts"]!, (int)outcomes["flaky"]["attempts"]!));
        await ArrivedAsync("test");

        // A circuit opens on two failures and closes when the probe after its cooldown is answered.
        for (var i = 0; i < 2; i++)
            using (var failed = await master.PostAsync("/v1/chat/completions", Hi("shaky"), Ct))
                Assert.False(failed.IsSuccessStatusCode);
        await ArrivedAsync("circuit-open");
        // Still open 600 ms later: the provider is failing.
        await ArrivedAsync("provider-failing");
        await Task.Delay(1000, Ct);
        using (var probe = await master.PostAsync("/v1/chat/completions", Hi("shaky"), Ct))
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        await ArrivedAsync("circuit-closed");

        // A key's budget: four answers of $0.0014 are 80 % of $0.007; lowering the budget to what was spent is 100 %.
        var key = await router.GenerateKeyAsync(MasterKey, new { max_budget = 0.007, key_alias = "alerts-ci" }, Ct);
        using (var client = router.CreateClient(key))
            for (var i = 0; i < 4; i++)
                using (var answer = await client.PostAsync("/v1/chat/completions", Hi("budget/echo"), Ct))
                    Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var budget80 = await ArrivedAsync("budget-80");
        Assert.Contains("alerts-ci", budget80.Body);
        using (var update = await master.PostAsync("/key/update", Json($$"""{"key":"{{key}}","max_budget":0.0056}"""), Ct))
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        await ArrivedAsync("budget-100");

        // Redis killed: the cache's next call finds it gone; started again: the next call finds it back.
        await redis.StopAsync();
        await UntilArrivedAsync("cache-down", () => master.PostAsync("/v1/chat/completions", Hi("cached/echo"), Ct));
        await redis.StartAsync();
        await UntilArrivedAsync("cache-up", () => master.PostAsync("/v1/chat/completions", Hi("cached/echo"), Ct));

        // A few more samples: nothing is sent twice.
        await Task.Delay(1000, Ct);
        string[] events = ["test", "circuit-open", "provider-failing", "circuit-closed", "budget-80", "budget-100", "cache-down", "cache-up"];
        foreach (var target in Targets)
        {
            var received = hooks.Received.Where(h => TargetOf(h) == target).Select(h => EventOf(target, h)).ToList();
            Assert.Equal(events.Order(), received.Order());
        }
        foreach (var hook in hooks.Received)
        {
            AssertFormat(hook);
            foreach (var secret in new[] { MasterKey, ProviderSecret, key, NtfyToken, GotifyToken })
                Assert.DoesNotContain(secret, hook.Body, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(NtfyToken, router.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-token", router.Output, StringComparison.Ordinal);

        // /admin/alerts: every alert, each target's delivery sent; the flaky target's test took three tries.
        var list = JsonNode.Parse(await master.GetStringAsync("/admin/alerts", Ct))!;
        var alerts = list["alerts"]!.AsArray();
        Assert.Equal(events.Order(), alerts.Select(a => (string)a!["event"]!).Order());
        Assert.All(alerts, a => Assert.All(a!["deliveries"]!.AsArray().Where(d => (string)d!["target"]! != "dead"),
            d => Assert.Equal("sent", (string)d!["status"]!)));
        var deadOpen = alerts.Single(a => (string)a!["event"]! == "circuit-open")!["deliveries"]!.AsArray().Single(d => (string)d!["target"]! == "dead")!;
        Assert.Equal(("failed", 4), ((string)deadOpen["status"]!, (int)deadOpen["attempts"]!));
        // Only the events a target lists reach it.
        Assert.Equal(["test", "circuit-open"], alerts.Where(a => a!["deliveries"]!.AsArray().Any(d => (string)d!["target"]! == "dead"))
            .Select(a => (string)a!["event"]!).Reverse());
        var flakyTest = alerts.Single(a => (string)a!["event"]! == "test")!["deliveries"]!.AsArray().Single(d => (string)d!["target"]! == "flaky")!;
        Assert.Equal(3, (int)flakyTest["attempts"]!);
        Assert.DoesNotContain("hook-token", list.ToJsonString(), StringComparison.Ordinal);
        using (var anonymous = router.CreateClient(key))
        using (var refused = await anonymous.GetAsync("/admin/alerts", Ct))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // /ui/alerts lists the same deliveries to a signed-in session.
        var page = await SignedInPageAsync(router, "/ui/alerts");
        foreach (var name in events) Assert.Contains($"data-event=\"{name}\"", page);
        Assert.Contains("data-target=\"discord\" data-status=\"sent\"", page);
        Assert.Contains("data-target=\"dead\" data-status=\"failed\"", page);
        Assert.DoesNotContain("hook-token", page, StringComparison.Ordinal);

        async Task<Webhook> ArrivedAsync(string name)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(50, Ct))
            {
                var arrived = hooks.Received.Where(h => EventOf(TargetOf(h), h) == name).ToList();
                if (Targets.All(t => arrived.Exists(h => TargetOf(h) == t))) return arrived.First(h => TargetOf(h) == "generic");
            }
            throw new TimeoutException($"'{name}' did not reach every target; received: " +
                string.Join(", ", hooks.Received.Select(h => $"{TargetOf(h)}:{EventOf(TargetOf(h), h)}")) + "\n" + router.Output);
        }

        async Task UntilArrivedAsync(string name, Func<Task<HttpResponseMessage>> nudge)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200, Ct))
            {
                using (await nudge()) { }
                if (hooks.Received.Count(h => EventOf(TargetOf(h), h) == name) == Targets.Length) return;
            }
            await ArrivedAsync(name);
        }
    }

    [Fact]
    public async Task PostgreSQL_going_away_and_back_is_sent_once_each_without_its_password()
    {
        await using var mock = await MockOpenAiServer.StartAsync(requiredKey: ProviderSecret);
        await using var postgres = await PostgresServer.StartNewAsync();
        await using var hooks = await WebhookReceiver.StartAsync(failFirst: 0);
        await using var router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}", api-key = "{{ProviderSecret}}" } }
              models = [ { name = "m/*", provider = mock } ]
              storage { provider = postgres, connection-string = "{{postgres.ConnectionString}}" }
              alerts {
                sample-interval = 200ms
                hold-off = 0s
                targets = [ { name = generic, url = "{{hooks.Root}}/generic" } ]
              }
            """);

        await postgres.StopAsync();
        await EventAsync("storage-down");
        await postgres.StartAsync();
        await EventAsync("storage-up");
        await Task.Delay(1000, Ct);

        Assert.Equal(["storage-down", "storage-up"], hooks.Received.Select(h => (string)JsonNode.Parse(h.Body)!["event"]!));
        foreach (var hook in hooks.Received)
        {
            Assert.DoesNotContain(postgres.Password, hook.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), hook.Body, StringComparison.Ordinal);
        }

        async Task EventAsync(string name)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100, Ct))
                if (hooks.Received.Any(h => (string)JsonNode.Parse(h.Body)!["event"]! == name)) return;
            throw new TimeoutException($"'{name}' did not arrive\n{router.Output}");
        }
    }

    private static StringContent Hi(string model) => Json($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""");

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string TargetOf(Webhook hook) => hook.Path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];

    /// <summary>The event a webhook carried, read the way its format carries it.</summary>
    private static string EventOf(string target, Webhook hook) => target switch
    {
        "ntfy" => hook.Headers["Tags"].Split(',')[1],
        "gotify" => Line((string)JsonNode.Parse(hook.Body)!["message"]!),
        "discord" => Line((string)JsonNode.Parse(hook.Body)!["embeds"]![0]!["description"]!),
        "slack" => Line((string)JsonNode.Parse(hook.Body)!["blocks"]![1]!["text"]!["text"]!),
        _ => (string)JsonNode.Parse(hook.Body)!["event"]!,
    };

    private static string Line(string text) => text.Split('\n').Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..];

    /// <summary>Each service's documented shape, and its credential where the service takes one.</summary>
    private static void AssertFormat(Webhook hook)
    {
        switch (TargetOf(hook))
        {
            case "ntfy":
                Assert.Equal("/ntfy/router-alerts", hook.Path);
                Assert.StartsWith("text/plain", hook.ContentType);
                Assert.StartsWith("Router: ", hook.Headers["Title"]);
                Assert.Contains(hook.Headers["Priority"], new[] { "3", "4", "5" });
                Assert.Equal("Bearer " + NtfyToken, hook.Headers["Authorization"]);
                break;
            case "gotify":
                Assert.Equal("/gotify/message", hook.Path);
                Assert.Equal(GotifyToken, hook.Headers["X-Gotify-Key"]);
                Assert.Equal(["title", "message", "priority"], JsonNode.Parse(hook.Body)!.AsObject().Select(p => p.Key));
                break;
            case "discord":
                var discord = JsonNode.Parse(hook.Body)!.AsObject();
                Assert.StartsWith("Router: ", (string)discord["content"]!);
                Assert.NotNull((int?)discord["embeds"]![0]!["color"]);
                break;
            case "slack":
                var slack = JsonNode.Parse(hook.Body)!.AsObject();
                Assert.StartsWith("Router: ", (string)slack["text"]!);
                Assert.Equal("header", (string)slack["blocks"]![0]!["type"]!);
                break;
            default:
                Assert.Equal(["event", "severity", "summary", "details", "node", "at"], JsonNode.Parse(hook.Body)!.AsObject().Select(p => p.Key));
                break;
        }
    }

    /// <summary>Signs in as a browser would without one (the form's antiforgery token and cookie), then reads <paramref name="path"/>.</summary>
    private static async Task<string> SignedInPageAsync(RouterProcess router, string path)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(router.BaseUrl) };
        var form = await http.GetStringAsync("/ui/login", Ct);
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var post = await http.PostAsync("/ui/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Key"] = MasterKey,
        }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        using var page = await http.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return await page.Content.ReadAsStringAsync(Ct);
    }
}
