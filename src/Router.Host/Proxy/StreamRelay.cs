using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Router.Actors.Routing;
using Router.Contracts.Messages;
using Router.Host.Http;
using Router.Host.Pricing;
using Router.Host.Providers;
using Router.Host.Streaming;
using Router.Host.Translation;

namespace Router.Host.Proxy;

/// <summary>
/// Relays a provider's event stream to the client as each event arrives, through the provider's
/// <see cref="IStreamTranslator"/>. The response is committed to 200 only once the translator has
/// something to send that is not an error, so early failures keep a real status; a failure after
/// that ends the stream with an error event and <c>[DONE]</c>.
/// </summary>
/// <param name="sink">
/// Told the usage of a complete answer before its closing frames (finish, usage, <c>[DONE]</c>) are
/// sent, and they wait for it: a client holds a complete answer only once it is done. Frames the
/// provider sent earlier in the stream pass as they come; without <c>[DONE]</c> and the response's
/// end, the answer is not complete.
/// </param>
/// <param name="stopping">Cancelled when a graceful stop cuts the answers still under way.</param>
/// <param name="credentials">The provider's key and credential headers, masked out of an error it sends in the stream.</param>
public sealed class StreamRelay(
    ProxyExchange exchange, Deployment deployment, TimeSpan streamIdle, IStreamTranslator translator, UsageEstimate usage, IAnswerSink sink,
    CancellationToken stopping, ProviderCredentials credentials)
{

    private string? _unreadable;

    /// <param name="events">The provider's stream as its dialect reads it (the caller disposes it).</param>
    public async Task<CallOutcome> RelayAsync(IUpstreamEventReader events, AttemptDeadline deadline, long started)
    {
        var ct = exchange.Context.RequestAborted;
        var frames = new List<byte[]>();
        StreamSignal signal;
        TimeSpan latency;

        // Before the first frame nothing is sent, so a failure there gets its own HTTP status.
        try
        {
            do
            {
                var next = await events.ReadAsync(deadline.Token);
                latency = Stopwatch.GetElapsedTime(started);
                signal = Translate(next);
                if (signal == StreamSignal.Failed)
                    return CallOutcome.Failed(FailureOf(next is null, committed: false), true, latency);
            } while (frames.Count == 0 && signal == StreamSignal.Continue);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            // The provider has started answering, and bills the prompt at least.
            return CallOutcome.ClientGone(usage.OfEndedStream(translator.Usage));
        }

        exchange.Context.Response.StatusCode = 200;
        exchange.Context.Response.ContentType = "text/event-stream; charset=utf-8";
        exchange.Context.Response.Headers.CacheControl = "no-cache";
        exchange.Context.Response.Headers["X-Accel-Buffering"] = "no";
        var writer = exchange.Context.Response.BodyWriter;

        try
        {
            while (true)
            {
                foreach (var frame in frames) usage.Relayed(frame);
                // Counted once: without the provider's usage, the estimate tokenizes everything relayed.
                var finished = signal == StreamSignal.Finished ? usage.OfFinishedStream(translator.Usage) : null;
                if (finished is not null) await sink.OnStreamEnding(finished);
                foreach (var frame in frames)
                {
                    writer.Write(frame);
                    exchange.ObserveFrames?.Invoke(frame);
                }
                frames.Clear();
                await writer.FlushAsync(ct);
                if (finished is not null) return new CallOutcome(finished, CallResult.Answered, latency, null);

                deadline.Phase(streamIdle);
                var next = await events.ReadAsync(deadline.Token);
                signal = Translate(next);
                if (signal == StreamSignal.Failed)
                {
                    foreach (var frame in frames) writer.Write(frame);
                    await EndWithErrorAsync(FailureOf(next is null, committed: true));
                    return BrokenOff();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            return CallOutcome.ClientGone(usage.OfEndedStream(translator.Usage));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await EndWithErrorAsync(CallOutcome.StoppingError);
            return new CallOutcome(usage.OfEndedStream(translator.Usage), CallResult.Abandoned, latency, null);
        }
        catch (OperationCanceledException)
        {
            await EndWithErrorAsync(Unreachable(deadline.TotalArmed
                ? $"Provider '{deployment.ProviderName}' was still streaming at its total timeout of {deadline.Total.TotalSeconds:0.#} s."
                : $"Provider '{deployment.ProviderName}' sent nothing for {streamIdle.TotalSeconds:0.#} s (stream-idle timeout)."));
            return BrokenOff();
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            await EndWithErrorAsync(Unreachable($"The connection to provider '{deployment.ProviderName}' broke mid-stream: {e.Message}"));
            return BrokenOff();
        }

        // The provider broke off: what it generated until then is billed all the same.
        CallOutcome BrokenOff() => new(usage.OfEndedStream(translator.Usage), CallResult.ProviderFailed, latency, null);

        StreamSignal Translate(SseEvent? next)
        {
            try
            {
                return next switch
                {
                    // A translator either finishes at the close or has failed; there is nothing more to read.
                    null => translator.End(frames) == StreamSignal.Finished ? StreamSignal.Finished : StreamSignal.Failed,
                    { HasData: true } => translator.Accept(next, frames),
                    // Comments and keep-alives carry no answer; once the stream is open they keep the client's connection alive.
                    _ => AddKeepAlive(next),
                };
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
            {
                // An event not in the provider's format: the provider's fault, reported like a broken stream.
                _unreadable = e.Message;
                return StreamSignal.Failed;
            }
        }

        StreamSignal AddKeepAlive(SseEvent keepAlive)
        {
            if (exchange.Context.Response.HasStarted) frames.Add(keepAlive.Raw);
            return StreamSignal.Continue;
        }

        async Task EndWithErrorAsync(RouterError error)
        {
            try
            {
                writer.Write(ErrorWriter.StreamEvent(error.Body, exchange.RequestId));
                writer.Write(OpenAiChunks.Done);
                await writer.FlushAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The client left too; there is nobody to tell.
            }
        }
    }

    /// <summary>The provider's own error event, or the stream closing before the answer was complete.</summary>
    private RouterError FailureOf(bool closed, bool committed)
    {
        if (translator.Error is { } error)
            return ProviderErrors.FromResponse(error.Status, credentials.MaskIn(error.Payload), deployment.ProviderName, deployment.Id);
        if (_unreadable is not null)
            return Unreachable($"Provider '{deployment.ProviderName}' sent a stream event the router could not read: {_unreadable}");
        return Unreachable(closed && !committed
            ? $"Provider '{deployment.ProviderName}' closed the stream before sending any data."
            : $"Provider '{deployment.ProviderName}' ended the stream before the answer was complete.");
    }

    private RouterError Unreachable(string cause) =>
        RouterError.UpstreamUnreachable(502, deployment.ProviderName, deployment.Id, cause);
}
