using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Router.Contracts.Wire;

namespace Router.Host.Cli;

/// <summary>
/// The command line's connection to one node's HTTP admin API, authenticated with the master key from
/// <see cref="MasterKeyVariable"/>. Every way a call can fail becomes a <see cref="CliFailure"/> with a
/// message an operator can act on and an exit code a script can rely on.
/// </summary>
public sealed class AdminClient : IDisposable
{
    public const string MasterKeyVariable = "ROUTER_MASTER_KEY";
    public const string NodeVariable = "ROUTER_NODE";
    public const string DefaultNode = "127.0.0.1:4000";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);
    private readonly HttpClient _http;

    private AdminClient(Uri node, string masterKey)
    {
        Node = node.GetLeftPart(UriPartial.Authority);
        // Timeouts are per call: a stream lives as long as the operator watches it.
        _http = new HttpClient { BaseAddress = node, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", masterKey);
    }

    /// <summary>The node as the messages name it: <c>http://host:port</c>.</summary>
    public string Node { get; }

    public static AdminClient Connect(string node)
    {
        var uri = ParseNode(node);
        var key = Environment.GetEnvironmentVariable(MasterKeyVariable);
        if (string.IsNullOrWhiteSpace(key))
            throw new CliFailure(ExitCodes.AuthFailed, $"{MasterKeyVariable} is not set: export the cluster's master key (router.master-key) in it.");
        return new AdminClient(uri, key.Trim());
    }

    /// <summary>A node's HTTP address: <c>host:port</c> (http) or a whole <c>http(s)://</c> URL.</summary>
    public static Uri ParseNode(string node)
    {
        var text = node.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = "http://" + text;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/")
            : throw new CliFailure(ExitCodes.Usage, $"--node '{node}' is not a node's HTTP address: give host:port, e.g. {DefaultNode}.");
    }

    public async Task<T> GetAsync<T>(string pathAndQuery, JsonTypeInfo<T> type, CancellationToken ct) =>
        Read(await GetAsync(pathAndQuery, ct), type);

    public Task<string> GetAsync(string pathAndQuery, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, pathAndQuery), ct);

    public async Task<T> PostAsync<T>(string path, JsonObject? body, JsonTypeInfo<T> type, CancellationToken ct) =>
        Read(await PostAsync(path, body, ct), type);

    public Task<string> PostAsync(string path, JsonObject? body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return SendAsync(request, ct);
    }

    /// <summary>
    /// The <c>data:</c> payloads of a server-sent event stream until <paramref name="ct"/> ends it. Silence
    /// longer than <paramref name="silenceLimit"/> (the node sends keep-alives more often) means the node is gone.
    /// </summary>
    public async IAsyncEnumerable<string> EventsAsync(string path, TimeSpan silenceLimit, [EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await CallAsync(() => _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct), ct);
        if (!response.IsSuccessStatusCode) throw Failure(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            string? line;
            using (var silence = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                silence.CancelAfter(silenceLimit);
                try
                {
                    line = await reader.ReadLineAsync(silence.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new CliFailure(ExitCodes.NodeUnreachable, $"The node at {Node} went silent for {silenceLimit.TotalSeconds:0} s: it is down or unreachable.");
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
                {
                    throw new CliFailure(ExitCodes.NodeUnreachable, $"The connection to the node at {Node} broke: {e.Message}");
                }
            }
            if (line is null)
                throw new CliFailure(ExitCodes.NodeUnreachable, $"The node at {Node} closed the stream: it is stopping or went away.");
            if (line.StartsWith("data:", StringComparison.Ordinal)) yield return line[5..].TrimStart();
        }
    }

    /// <summary>
    /// Copies a streamed answer (an export) to <paramref name="destination"/> as it arrives, however long it takes; a node
    /// that refuses answers its error envelope, and a stream cut part-way is a failure, never a short copy taken as whole.
    /// </summary>
    public async Task DownloadAsync(string pathAndQuery, Stream destination, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        using var response = await CallAsync(() => _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct), ct);
        if (!response.IsSuccessStatusCode) throw Failure(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await body.CopyToAsync(destination, ct);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
        {
            throw new CliFailure(ExitCodes.NodeFailed, $"The node at {Node} broke off the download part-way: {e.Message}");
        }
    }

    private async Task<string> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(RequestTimeout);
            using var response = await CallAsync(() => _http.SendAsync(request, timeout.Token), ct);
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                throw new CliFailure(ExitCodes.NodeUnreachable, $"The node at {Node} stopped answering mid-way: {e.Message}");
            }
            return response.IsSuccessStatusCode ? body : throw Failure(response.StatusCode, body);
        }
    }

    /// <summary>Runs a call, turning "nothing there" and "no answer in time" into the node-unreachable failure.</summary>
    private async Task<HttpResponseMessage> CallAsync(Func<Task<HttpResponseMessage>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (HttpRequestException e)
        {
            var why = e.InnerException is SocketException socket ? socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused (is the router running, and is this its HTTP port?)",
                SocketError.HostNotFound or SocketError.NoData => "no such host",
                SocketError.TimedOut => "connection timed out",
                _ => socket.Message,
            } : e.Message;
            throw new CliFailure(ExitCodes.NodeUnreachable, $"Cannot reach the node at {Node}: {why}.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliFailure(ExitCodes.NodeUnreachable, $"The node at {Node} did not answer within {RequestTimeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>The node's error envelope as a failure: its message, code and status, and the exit code its status means.</summary>
    private CliFailure Failure(HttpStatusCode status, string body)
    {
        var code = (int)status;
        ErrorBody? error = null;
        try
        {
            error = JsonSerializer.Deserialize(body, WireJsonContext.Default.ErrorEnvelope)?.Error;
        }
        catch (JsonException)
        {
            // Not the router's envelope: said below.
        }
        if (error is null)
            return new CliFailure(ExitCodes.NodeFailed,
                $"The node at {Node} answered HTTP {code} without the router's error envelope: is this a router's HTTP address?");
        var exit = code switch
        {
            401 or 403 => ExitCodes.AuthFailed,
            404 => ExitCodes.NotFound,
            >= 400 and < 500 => ExitCodes.Refused,
            _ => ExitCodes.NodeFailed,
        };
        var message = code is 401 or 403
            ? $"The node at {Node} refused the master key from {MasterKeyVariable}: {error.Message}"
            : error.Message;
        if (error.Code == "unknown_url")
            message = $"The node at {Node} has no such admin endpoint ({error.Message}); it may run an older router.";
        return new CliFailure(exit, $"{message} [{error.Code ?? "error"}, HTTP {code}]");
    }

    /// <summary>An answer read as the admin API's type; anything else is a node failure, not a crash.</summary>
    public T Read<T>(string body, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            throw new CliFailure(ExitCodes.NodeFailed, $"The node at {Node} answered something that is not the admin API's JSON.");
        }
    }

    public void Dispose() => _http.Dispose();
}
