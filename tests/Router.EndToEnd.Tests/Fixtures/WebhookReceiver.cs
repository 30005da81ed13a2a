using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// Webhooks on loopback, as ntfy, Gotify, Discord, Slack or any JSON receiver take them: every POST is kept
/// (path, query, headers, body) and answered 200, except that the first <see cref="FailFirst"/> posts to a path
/// starting with <c>/flaky</c> are answered 503, for the dispatcher's retries.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Webhook> _received = new();
    private WebApplication _app = null!;
    private int _flakyCalls;

    public string Root { get; private set; } = "";

    public int FailFirst { get; init; }

    public IReadOnlyCollection<Webhook> Received => _received;

    public static async Task<WebhookReceiver> StartAsync(int failFirst)
    {
        var receiver = new WebhookReceiver { FailFirst = failFirst };
        (receiver._app, receiver.Root) = await LoopbackApp.StartAsync(app => app.MapPost("/{**path}", async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            var path = context.Request.Path.Value ?? "";
            if (path.StartsWith("/flaky", StringComparison.Ordinal) && Interlocked.Increment(ref receiver._flakyCalls) <= receiver.FailFirst)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            receiver._received.Enqueue(new Webhook(path, context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                context.Request.ContentType ?? "", body));
            context.Response.StatusCode = StatusCodes.Status200OK;
        }));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record Webhook(string Path, string Query, IReadOnlyDictionary<string, string> Headers, string ContentType, string Body);
