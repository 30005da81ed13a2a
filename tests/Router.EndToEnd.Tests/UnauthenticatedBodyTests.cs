using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests;

/// <summary>A router with the default body limit (8 MiB) in front of a mock that records what it receives.</summary>
public sealed class UnauthenticatedBodyFixture : IAsyncLifetime
{
    public const string MasterKey = "sk-e2e-unauthenticated-2e8c4a6f1b";

    public MockOpenAiServer Mock { get; private set; } = null!;
    public RouterProcess Router { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Mock = await MockOpenAiServer.StartAsync();
        Router = await RouterProcess.StartAsync($$"""
              master-key = "{{MasterKey}}"
              providers { mock { type = openai-compatible, api-base = "{{Mock.ApiBase}}" } }
              models = [ { name = "mock/*", provider = mock } ]
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        await Mock.DisposeAsync();
    }
}

/// <summary>
/// Issue 18: an unknown caller cannot make the router read, let alone buffer, a large body. Each endpoint that
/// takes a body is sent the headers of a 6 MB request and its first 64 KB only; the 401 must come back while the
/// rest is still unsent, so the router decided without waiting for it, and nothing reached the provider. The
/// dashboard's sign-in must read its form without a key, so it takes none larger than a sign-in needs.
/// </summary>
public sealed class UnauthenticatedBodyTests(UnauthenticatedBodyFixture fixture) : IClassFixture<UnauthenticatedBodyFixture>
{
    private const int DeclaredLength = 6 * 1024 * 1024;
    private const int SentLength = 64 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/messages", "x-api-key: sk-not-a-router-key")]
    [InlineData("/v1/messages", null)]
    [InlineData("/v1/chat/completions", "Authorization: Bearer sk-not-a-router-key")]
    [InlineData("/v1/chat/completions", null)]
    [InlineData("/v1/completions", null)]
    [InlineData("/v1/embeddings", null)]
    [InlineData("/key/generate", null)]
    [InlineData("/key/update", "Authorization: Bearer sk-not-a-router-key")]
    [InlineData("/cache/flush", null)]
    [InlineData("/config/reload", null)]
    [InlineData("/admin/breakers/trip", null)]
    public async Task A_large_body_from_an_unknown_caller_is_refused_before_it_is_sent(string path, string? credentials)
    {
        var received = fixture.Mock.Received.Count;

        var statusLine = await PostStartAsync(path, "application/json", credentials);

        // 6 MB declared, 64 KB sent: the answer did not wait for the rest.
        Assert.StartsWith("HTTP/1.1 401 ", statusLine);
        Assert.Equal(received, fixture.Mock.Received.Count);
    }

    [Fact]
    public async Task The_dashboard_sign_in_the_one_form_read_without_a_key_refuses_a_large_body_unread()
    {
        var statusLine = await PostStartAsync("/ui/login", "application/x-www-form-urlencoded", null);

        Assert.StartsWith("HTTP/1.1 400 ", statusLine);
    }

    /// <param name="logged">Whether the request has a row in the request log: Anthropic's ingress reads its body before the walk
    /// starts, and a request it cannot read has none there, as one it refuses before the walk.</param>
    [Theory]
    [InlineData("/v1/chat/completions", "Authorization: Bearer " + UnauthenticatedBodyFixture.MasterKey, true)]
    [InlineData("/v1/messages", "x-api-key: " + UnauthenticatedBodyFixture.MasterKey, false)]
    public async Task A_client_that_stops_sending_its_body_halfway_is_at_fault_and_the_router_has_not_failed(string path, string credentials, bool logged)
    {
        var received = fixture.Mock.Received.Count;
        var requestId = $"cut-short-{Guid.NewGuid():N}";

        // 6 MB declared, 64 KB sent, and then the client's side of the connection closed: the body can never be whole.
        await PostStartAsync(path, "application/json", $"{credentials}\r\nx-request-id: {requestId}", thenStopSending: true);

        using var admin = fixture.Router.CreateClient(UnauthenticatedBodyFixture.MasterKey);
        for (var deadline = DateTime.UtcNow.AddSeconds(15); logged; await Task.Delay(100, Ct))
        {
            var rows = JsonNode.Parse(await admin.GetStringAsync($"/spend/logs?request_id={requestId}", Ct))!["data"]!.AsArray();
            if (rows is [{ } row])
            {
                // The client's fault either way: 499 (nginx's "client closed request") when the router had seen it go by
                // then, else the 400 of a body shorter than its length; never the router's 500.
                Assert.Contains(row["status"]!.GetValue<int>(), new[] { 400, 499 });
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"request {requestId} never reached the request log");
        }
        Assert.Equal(received, fixture.Mock.Received.Count);
        Assert.DoesNotContain("failed inside the router", fixture.Router.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends the head of a 6 MB request and its first 64 KB, and reads the status line of the answer; with
    /// <paramref name="thenStopSending"/>, closes its sending side after them, and waits for the router to close the connection.
    /// </summary>
    private async Task<string> PostStartAsync(string path, string contentType, string? credentials, bool thenStopSending = false)
    {
        using var tcp = new TcpClient();
        var address = new Uri(fixture.Router.BaseUrl);
        await tcp.ConnectAsync(address.Host, address.Port, Ct);
        var stream = tcp.GetStream();

        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\nanthropic-version: 2023-06-01\r\n")
            .Append(credentials is null ? "" : credentials + "\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {DeclaredLength}\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), Ct);
        await stream.WriteAsync(BodyStart(), Ct);
        if (thenStopSending) tcp.Client.Shutdown(SocketShutdown.Send);

        // The rest is never sent: a router that waited for it would not answer.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        wait.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return await ReadLineAsync(stream, wait.Token);
        }
        catch (IOException) when (thenStopSending)
        {
            return ""; // the router reset the connection it would read no more from: it is done with the request
        }
    }

    /// <summary>The start of a plausible request: a model the router routes, and a message that goes on and on.</summary>
    private static byte[] BodyStart()
    {
        var start = """{"model":"mock/large","max_tokens":16,"input":"x","prompt":"x","messages":[{"role":"user","content":" """;
        return Encoding.ASCII.GetBytes(start.PadRight(SentLength, 'a'));
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream, CancellationToken ct)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await stream.ReadAsync(one, ct) == 1 && one[0] != '\n') line.Append((char)one[0]);
        return line.ToString().TrimEnd('\r');
    }
}
