using System.Diagnostics;
using Router.Actors.Routing;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Providers;
using Router.Host.Streaming;

namespace Router.Host.Proxy;

/// <summary>
/// Relays a provider's event stream to the client as each event arrives. The response is committed to
/// 200 only once the first data event is known not to be an error, so early failures keep a real
/// status; a failure after that ends the stream with an error event and <c>[DONE]</c>.
/// </summary>
public sealed class StreamRelay(
    HttpContext context, Deployment deployment, string requestId, TimeSpan streamIdle, bool clientWantsUsage)
{
    private static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();

    public async Task<CallOutcome> RelayAsync(Stream upstream, CancellationTokenSource phase, long started)
    {
        await using var events = new SseEventReader(upstream);
        var ct = context.RequestAborted;
        var held = new List<SseEvent>();
        TokenUsage? usage = null;
        TimeSpan latency;

        // Before the first data event nothing is sent, so an error there gets its own HTTP status.
        while (true)
        {
            var next = await events.ReadAsync(phase.Token);
            latency = Stopwatch.GetElapsedTime(started);
            if (next is null)
            {
                var error = RouterError.UpstreamUnreachable(502, deployment.ProviderName, deployment.Id,
                    $"Provider '{deployment.ProviderName}' closed the stream before sending any data.");
                return CallOutcome.Failed(error, true, latency);
            }
            held.Add(next);
            if (!next.HasData) continue;
            if (!next.IsDone && UsageParser.InspectChunk(next.Data.Span).Error is { } firstError)
                return CallOutcome.Failed(
                    ProviderErrors.FromStreamEvent(firstError, next.Data.ToArray(), deployment.ProviderName, deployment.Id),
                    true, latency);
            break;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var writer = context.Response.BodyWriter;
        var providerFailed = false;

        try
        {
            foreach (var ev in held)
            {
                if (await RelayOneAsync(ev) is { } done) return Finish(done);
            }
            while (true)
            {
                phase.CancelAfter(streamIdle);
                var ev = await events.ReadAsync(phase.Token);
                if (ev is null)
                {
                    await FailMidStreamAsync($"Provider '{deployment.ProviderName}' ended the stream before [DONE].");
                    return Finish(true);
                }
                if (await RelayOneAsync(ev) is { } done) return Finish(done);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            return CallOutcome.ClientGone(usage);
        }
        catch (OperationCanceledException)
        {
            await FailMidStreamAsync(
                $"Provider '{deployment.ProviderName}' sent nothing for {streamIdle.TotalSeconds:0.#} s (stream-idle timeout) or ran past its total timeout.");
            return Finish(true);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            await FailMidStreamAsync($"The connection to provider '{deployment.ProviderName}' broke mid-stream: {e.Message}");
            return Finish(true);
        }

        CallOutcome Finish(bool failed) =>
            new(usage ?? TokenUsage.None, failed || providerFailed ? CallResult.ProviderFailed : CallResult.Answered, latency, null);

        // Returns whether the stream ended (true: the provider failed), or null to keep going.
        async Task<bool?> RelayOneAsync(SseEvent ev)
        {
            if (ev.IsDone)
            {
                await writer.WriteAsync(ev.Raw, ct);
                return providerFailed;
            }
            var facts = ev.HasData ? UsageParser.InspectChunk(ev.Data.Span) : default;
            if (facts.Usage is not null) usage = facts.Usage;
            if (facts.Error is not null) providerFailed = true;
            if (!facts.IsUsageOnly || clientWantsUsage) await writer.WriteAsync(ev.Raw, ct);
            return null;
        }

        async Task FailMidStreamAsync(string cause)
        {
            var body = RouterError.UpstreamUnreachable(502, deployment.ProviderName, deployment.Id, cause).Body;
            try
            {
                await writer.WriteAsync(ErrorWriter.StreamEvent(body, requestId), ct);
                await writer.WriteAsync(DoneEvent, ct);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The client left too; there is nobody to tell.
            }
        }
    }
}
