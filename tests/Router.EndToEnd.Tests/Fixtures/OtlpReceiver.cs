using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// The receiving end of OTLP/HTTP on loopback, as an OpenTelemetry collector offers it: <c>POST /v1/traces</c>
/// with a protobuf <c>ExportTraceServiceRequest</c>, answered 200 with an empty response. The bodies are kept
/// as received; protobuf carries strings as plain UTF-8, so a test finds names and values by byte search.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string ContentType, byte[] Body)> _received = new();
    private WebApplication _app = null!;

    /// <summary>The collector's address without a path, as OTEL_EXPORTER_OTLP_ENDPOINT names one.</summary>
    public string Root { get; private set; } = "";

    public IReadOnlyCollection<(string ContentType, byte[] Body)> Received => _received;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        (receiver._app, receiver.Root) = await LoopbackApp.StartAsync(app => app.MapPost("/v1/traces", async context =>
        {
            var body = context.Request.Headers.ContentEncoding == "gzip"
                ? new GZipStream(context.Request.Body, CompressionMode.Decompress)
                : context.Request.Body;
            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer, context.RequestAborted);
            receiver._received.Enqueue((context.Request.ContentType ?? "", buffer.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        }));
        return receiver;
    }

    /// <summary>Whether any body received so far holds <paramref name="text"/> as UTF-8.</summary>
    public bool Holds(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return _received.Any(r => r.Body.AsSpan().IndexOf(bytes) >= 0);
    }

    /// <summary>Waits until every one of <paramref name="texts"/> has arrived.</summary>
    public async Task WaitForAsync(TimeSpan timeout, params string[] texts)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!texts.All(Holds))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not exported within {timeout}: {string.Join(", ", texts.Where(t => !Holds(t)))} ({_received.Count} bodies received)");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
