using System.Text;
using System.Text.Json.Nodes;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// One router holding a secret of every kind it holds, served over HTTPS with an OTLP collector and the request log,
/// driven through successes, provider errors (some echoing the provider key back), streams and refused keys. Every
/// answer is kept in <see cref="Answers"/>; <see cref="SecretLeakTests"/> then fetches every GET route and looks for
/// the secrets in all of it, the router's output, the exported spans and the data directory.
/// </summary>
public sealed class SecretLeakFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-leak-master-4f8a2c6e1b9d3f5a7c0e2b4d6f";
    private const string OpenAiKey = "sk-proj-leak-openai-9c3e5a7b1d2f4e6a8c0b";
    private const string AnthropicKey = "sk-ant-api03-leak-anthropic-2d4f6a8c0e1b3d5f";
    private const string GeminiKey = "AIzaSyLeakGemini-7b9d1f3a5c7e9b0d2f4a6c";
    private const string GeminiKeyVariable = "LEAK_TEST_GEMINI_API_KEY";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _certificates = Directory.CreateTempSubdirectory("router-e2e-leak-tls-").FullName;
    private readonly List<IAsyncDisposable> _servers = [];
    private ServerCertificateFiles _tls = null!;

    /// <summary>
    /// Every secret the router holds or is shown. A new kind of secret (a Redis password, a PostgreSQL password file,
    /// a provider's api-key-file, the cache secret) is one more <c>Secrets.Add</c> in <see cref="InitializeAsync"/>,
    /// with the setting that gives it to the router in <see cref="Config"/> or <see cref="Environment"/>.
    /// </summary>
    public LeakSecrets Secrets { get; } = new();

    /// <summary>Variables the router's process gets (its config reads them with <c>${?NAME}</c>).</summary>
    private Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    private const string DiscordWebhookToken = "dWh-7Kq2Lm9Np4Rs6Tv8Xz1Bc3Df5Gh";

    private string AnthropicKeyFile => Path.Combine(_certificates, "anthropic.key");

    public RouterProcess Router { get; private set; } = null!;
    public OtlpReceiver Collector { get; private set; } = null!;
    public string VirtualKey { get; private set; } = "";
    /// <summary>The virtual key's id, for its page in the dashboard.</summary>
    public string VirtualKeyId { get; private set; } = "";
    public DashboardLogin Session { get; private set; } = null!;

    /// <summary>Every answer the traffic got (status, headers and body as text), by what was asked.</summary>
    public List<(string Label, string Text)> Answers { get; } = [];

    /// <summary>A request that failed at the provider with its headers echoed, for its request-detail page.</summary>
    public string EchoedRequestId { get; private set; } = "";

    /// <summary>A stored Responses answer, for <c>/v1/responses/{id}</c>.</summary>
    public string StoredResponseId { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Secrets.Add("master key (the dashboard login)", MasterKey);
        Secrets.Add("provider key of oai (openai, from the config file)", OpenAiKey);
        Secrets.Add("provider key of claude (anthropic, from its api-key-file)", AnthropicKey);
        Environment["ROUTER_CACHE_SECRET"] = Secrets.Add("router.cache.secret", "cache-secret-5d8a0f2c9b7e4d1a3c6f8e0b2d4a6c8e");
        Environment["LEAK_NTFY_TOKEN"] = Secrets.Add("an alert target's token", "tk_3nq8v2x7c5b1m9z4l6k0j8h2g4f");
        Secrets.Add("an alert target's URL (a Discord webhook's holds its token)", DiscordWebhookToken);
        Environment[GeminiKeyVariable] = Secrets.Add($"provider key of google (gemini, from ${{?{GeminiKeyVariable}}})", GeminiKey);
        Environment["ROUTER_HTTP_TLS_PASSWORD"] = Secrets.Add("router.http.tls.password", ServerCertificateFiles.BundlePassword);
        // Keys a caller got wrong are not the router's, but may be someone's real key: they must not be repeated either.
        var wrongMaster = Secrets.Add("a wrong key resembling the master key", MasterKey[..^6] + "a1b2c3");
        var wrongVirtual = Secrets.Add("a wrong key shaped like a virtual key", "sk-Q7rT2vX9zB4nM6pL8kJ3hG5fD1sA0wE2yU4iO6pR8tY");

        _tls = ServerCertificateFiles.Create(_certificates);
        await File.WriteAllTextAsync(AnthropicKeyFile, AnthropicKey + "\n", Ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(AnthropicKeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Collector = await OtlpReceiver.StartAsync();
        var openAi = await Started(MockOpenAiServer.StartAsync(requiredKey: OpenAiKey));
        var anthropic = await Started(MockOpenAiServer.StartAsync(requiredKey: AnthropicKey));
        var gemini = await Started(MockOpenAiServer.StartAsync(requiredKey: GeminiKey));
        Router = await RouterProcess.StartAsync(Config(openAi, anthropic, gemini), https: _tls, environment: Environment);

        VirtualKey = Secrets.Add("a virtual key's secret (from /key/generate)",
            await Router.GenerateKeyAsync(MasterKey, new { key_alias = "leak-laptop" }, Ct));
        VirtualKeyId = (await Router.KeyInfoAsync(VirtualKey, Ct))["key_id"]!.GetValue<string>();
        Session = await DashboardLogin.SignInAsync(Router, MasterKey, Ct);
        // Every data-protected token of the router (antiforgery tokens in its forms too) starts with the same header, a
        // magic number and the protection key's id (20 bytes, 27 characters of base64url): the session is what follows.
        Secrets.Add("the dashboard session cookie", Session.Cookie[27..]);

        await DriveTrafficAsync(wrongMaster, wrongVirtual);
        Answers.Add(("dashboard login with a wrong key", await DashboardLogin.RefusedAsync(Router, wrongMaster, Ct)));
        await WaitForLogAndSpansAsync();
    }

    private string Config(MockOpenAiServer openAi, MockOpenAiServer anthropic, MockOpenAiServer gemini) => $$"""
          master-key = "{{MasterKey}}"
          http.tls { certificate = "{{_tls.Bundle}}", password = ${?ROUTER_HTTP_TLS_PASSWORD} }
          tracing { otlp-endpoint = "{{Collector.Root}}", service-name = "router-leak", export-delay = 200ms }
          request-log { batch-interval = 200ms }
          routing.retries = 0
          cache.secret = ${?ROUTER_CACHE_SECRET}
          alerts.targets = [
            { name = phone, format = ntfy, url = "http://127.0.0.1:9/router", token = ${?LEAK_NTFY_TOKEN} }
            { name = chat, format = discord, url = "http://127.0.0.1:9/api/webhooks/1/{{DiscordWebhookToken}}" }
          ]
          breaker { consecutive-failures-to-open = 1000, minimum-calls-in-window = 1000000 }
          providers {
            oai { type = openai, api-base = "{{openAi.ApiBase}}", api-key = "{{OpenAiKey}}" }
            claude { type = anthropic, api-base = "{{anthropic.Root}}/anthropic/v1", api-key-file = "{{AnthropicKeyFile}}" }
            google { type = gemini, api-base = "{{gemini.Root}}/gemini/v1beta", api-key = ${?{{GeminiKeyVariable}}} }
          }
          models = [
            { name = "oai/*", provider = oai }
            { name = "claude/*", provider = claude }
            { name = "google/*", provider = google }
          ]
        """;

    private async Task<MockOpenAiServer> Started(Task<MockOpenAiServer> starting)
    {
        var server = await starting;
        _servers.Add(server);
        return server;
    }

    private async Task DriveTrafficAsync(string wrongMaster, string wrongVirtual)
    {
        using var master = Router.CreateClient(MasterKey);
        using var holder = Router.CreateClient(VirtualKey);
        using var anthropicStyle = Router.CreateClient(null);
        await SendAsync(master, "/v1/chat/completions", Chat("oai/hello-master"), 200);
        await SendAsync(master, "/v1/chat/completions", Chat("oai/hello-streamed", stream: true), 200);
        await SendAsync(holder, "/v1/chat/completions", Chat("claude/hello-claude"), 200);
        await SendAsync(holder, "/v1/chat/completions", Chat("google/hello-google"), 200);
        await SendAsync(holder, "/v1/chat/completions", Chat("google/hello-google-streamed", stream: true), 200);
        await SendAsync(holder, "/v1/embeddings", """{"model":"oai/text-embedding-3-small","input":"embed me"}""", 200);
        await SendAsync(anthropicStyle, "/v1/messages", Messages("claude/hello-native"), 200, anthropicKey: VirtualKey);
        await SendAsync(anthropicStyle, "/v1/messages/count_tokens", Messages("claude/count-me"), 200, anthropicKey: VirtualKey);
        var stored = await SendAsync(holder, "/v1/responses", """{"model":"claude/remember-me","input":"remember me"}""", 200);
        StoredResponseId = JsonNode.Parse(stored.Body)!["id"]!.GetValue<string>();

        await SendAsync(holder, "/v1/chat/completions", Chat("oai/fail-400"), 400);
        await SendAsync(holder, "/v1/chat/completions", Chat("oai/fail-500"), 500);
        // Providers that write the request's headers, their key among them, into their error.
        var echoed = await SendAsync(holder, "/v1/chat/completions", Chat($"oai/{EchoedHeaders.Model}"), 400);
        EchoedRequestId = echoed.RequestId;
        foreach (var model in new[] { "claude", "google" })
            await SendAsync(holder, "/v1/chat/completions", Chat($"{model}/{EchoedHeaders.Model}"), 400);
        await SendAsync(anthropicStyle, "/v1/messages", Messages($"claude/{EchoedHeaders.Model}"), 400, anthropicKey: VirtualKey);
        await SendAsync(anthropicStyle, "/v1/messages", Messages($"claude/{EchoedHeaders.Model}", stream: true), 400, anthropicKey: VirtualKey);
        await SendAsync(holder, "/v1/responses", $$"""{"model":"google/{{EchoedHeaders.Model}}","input":"echo","stream":true}""", null);
        await SendAsync(holder, "/v1/chat/completions", Chat($"oai/{EchoedHeaders.StreamModel}", stream: true), null);

        foreach (var wrong in new[] { wrongMaster, wrongVirtual })
        {
            using var stranger = Router.CreateClient(wrong);
            await SendAsync(stranger, "/v1/chat/completions", Chat("oai/hello-stranger"), 401);
            await SendAsync(anthropicStyle, "/v1/messages", Messages("claude/hello-stranger"), 401, anthropicKey: wrong);
            foreach (var path in new[] { "/key/info", "/admin/config", "/spend/logs", "/v1/models" }) await GetAsync(stranger, path, 401);
        }
    }

    private static string Chat(string model, bool stream = false) =>
        $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hello leak test"}]}""";

    private static string Messages(string model, bool stream = false) =>
        $$"""{"model":"{{model}}","max_tokens":64,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hello leak test"}]}""";

    private async Task<(string Body, string RequestId)> SendAsync(HttpClient client, string path, string json, int? expected, string? anthropicKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (anthropicKey is not null)
        {
            // As Anthropic's SDK sends it: x-api-key rather than a bearer (on a client without one).
            request.Headers.Add("x-api-key", anthropicKey);
            request.Headers.Add("anthropic-version", "2023-06-01");
        }
        using var response = await client.SendAsync(request, Ct);
        return await KeepAsync($"POST {path} {json}", response, expected);
    }

    private async Task GetAsync(HttpClient client, string path, int expected)
    {
        using var response = await client.GetAsync(path, Ct);
        await KeepAsync($"GET {path} with a wrong key", response, expected);
    }

    private async Task<(string Body, string RequestId)> KeepAsync(string label, HttpResponseMessage response, int? expected)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected is null || (int)response.StatusCode == expected, $"{label}: expected {expected}, got {(int)response.StatusCode}: {body}");
        Answers.Add((label, $"{(int)response.StatusCode}\n{Headers(response)}\n{body}"));
        return (body, response.Headers.TryGetValues("x-request-id", out var ids) ? ids.Single() : "");
    }

    public static string Headers(HttpResponseMessage response) =>
        string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));

    /// <summary>Until every request is in the log and the last one's spans have reached the collector.</summary>
    private async Task WaitForLogAndSpansAsync()
    {
        using var master = Router.CreateClient(MasterKey);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (JsonNode.Parse(await master.GetStringAsync($"/spend/logs?request_id={EchoedRequestId}", Ct))!["total"]!.GetValue<long>() == 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the request log never got the echoed request");
            await Task.Delay(100, Ct);
        }
        await Collector.WaitForAsync(TimeSpan.FromSeconds(20), EchoedRequestId);
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        foreach (var server in _servers) await server.DisposeAsync();
        await Collector.DisposeAsync();
        _tls.Dispose();
        Directory.Delete(_certificates, recursive: true);
    }
}
