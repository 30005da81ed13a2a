using System.Diagnostics;
using System.Text.Json;
using Router.Actors.Routing;
using Router.Host.Http;
using Router.Host.Lifetime;
using Router.Host.Pricing;
using Router.Host.Providers;
using Router.Host.Translation;

namespace Router.Host.Proxy;

/// <summary>
/// Sends one admitted request to its provider in the provider's dialect and answers the client in
/// OpenAI's: a JSON body, or a stream relayed event by event. Upstream failures become
/// <see cref="CallOutcome"/>s, never exceptions.
/// </summary>
/// <param name="stop">Cuts the calls still under way when a graceful stop's grace is over.</param>
public sealed class UpstreamForwarder(ShutdownDrain? stop = null)
{
    private const int MaxErrorBodyBytes = 1 << 20;

    /// <param name="match">The model (the requested one, or a fallback) this attempt serves.</param>
    /// <param name="sink">Where the answer is charged once its usage is known, before the client holds it whole.</param>
    public async Task<CallOutcome> ForwardAsync(ProxyExchange exchange, ProviderClient client, RouteMatch match, Deployment deployment, IAnswerSink sink)
    {
        var context = exchange.Context;
        var request = exchange.Request;
        var dialect = client.DialectFor(exchange.Operation);
        var timeouts = deployment.Timeouts ?? client.Settings.Timeouts;
        var streaming = exchange.Streaming;
        var upstreamModel = match.UpstreamModelFor(deployment);
        var call = dialect.BuildCall(exchange.Operation, request, new CallContext(upstreamModel, streaming, context.Request.Headers));
        var answer = new ResponseContext("chatcmpl-" + exchange.RequestId, upstreamModel, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), exchange.ClientWantsUsage)
            { ContentTool = call.ContentTool, Request = request };
        // Set per attempt: a fallback to another provider may drop other fields, or none.
        if (call.DroppedParams.Count > 0) context.Response.Headers[UpstreamCall.DroppedParamsHeader] = string.Join(',', call.DroppedParams);
        else context.Response.Headers.Remove(UpstreamCall.DroppedParamsHeader);

        var stopping = stop?.AnswersCut ?? CancellationToken.None;
        using var deadline = new AttemptDeadline(context.RequestAborted, stopping, timeouts.Total, timeouts.FirstByte);
        var started = Stopwatch.GetTimestamp();
        context.Response.Headers["x-router-deployment"] = deployment.Id;
        var usage = new UsageEstimate(request, exchange.Key.KeyId);
        var providerAnswering = false;

        try
        {
            using var response = await client.SendAsync(call, timeouts.Connect, deadline.Token);
            var status = (int)response.StatusCode;
            if (status is < 200 or > 299)
            {
                var errorBody = await ReadLimitedAsync(response.Content, deadline.Token);
                var error = ProviderErrors.FromResponse(status, client.Credentials.MaskIn(errorBody), deployment.ProviderName, deployment.Id, RetryAfterOf(response));
                return CallOutcome.Failed(error, AttemptVerdicts.IsProviderFault(status), Stopwatch.GetElapsedTime(started));
            }

            providerAnswering = true;
            if (!streaming)
            {
                deadline.TotalOnly();
                var received = await PooledBody.ReadAllAsync(response.Content, deadline.Token);
                TranslatedResponse translated;
                try
                {
                    translated = dialect.TranslateResponse(received, answer);
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
                {
                    // A 200 whose body is not the provider's format: the provider's fault, not a 500 of ours.
                    var error = RouterError.UpstreamUnreachable(502, deployment.ProviderName, deployment.Id,
                        $"Provider '{deployment.ProviderName}' answered 200 with a body the router could not read: {e.Message}");
                    return CallOutcome.Failed(error, true, Stopwatch.GetElapsedTime(started));
                }
                var used = usage.OfAnswer(translated.Usage, translated.Body);
                await sink.OnAnswer(used);
                context.Response.StatusCode = status;
                context.Response.ContentType = ReferenceEquals(translated.Body, received)
                    ? response.Content.Headers.ContentType?.ToString() ?? "application/json"
                    : "application/json";
                context.Response.ContentLength = translated.Body.Length;
                await context.Response.Body.WriteAsync(translated.Body, context.RequestAborted);
                return CallOutcome.Answered(used, Stopwatch.GetElapsedTime(started)) with { Body = translated.Body };
            }

            var relay = new StreamRelay(exchange, deployment, timeouts.StreamIdle, dialect.CreateStreamTranslator(answer), usage, sink, stopping,
                client.Credentials);
            await using var events = dialect.CreateEventReader(await response.Content.ReadAsStreamAsync(deadline.Token));
            return await relay.RelayAsync(events, deadline, started);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // Once the provider has started answering, it bills the call whether or not anyone reads the answer.
            return CallOutcome.ClientGone(providerAnswering ? usage.OfAbandonedAnswer() : null);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return CallOutcome.RouterStopping(providerAnswering ? usage.OfAbandonedAnswer() : null, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException)
        {
            var limit = deadline.TotalArmed
                ? $"its total timeout of {timeouts.Total.TotalSeconds:0.#} s"
                : $"its first-byte timeout of {timeouts.FirstByte.TotalSeconds:0.#} s";
            return TimedOut($"Provider '{deployment.ProviderName}' did not answer within {limit}.", deployment, started);
        }
        catch (HttpRequestException e) when (e.InnerException is TimeoutException or OperationCanceledException)
        {
            return TimedOut(
                $"Could not connect to provider '{deployment.ProviderName}' within its connect timeout of {timeouts.Connect.TotalSeconds:0.#} s.",
                deployment, started);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // Refused, reset, or cut before the answer was complete (HttpIOException is an IOException).
            var error = RouterError.UpstreamUnreachable(502, deployment.ProviderName, deployment.Id,
                $"Could not reach provider '{deployment.ProviderName}': {e.Message}");
            return CallOutcome.Failed(error, true, Stopwatch.GetElapsedTime(started));
        }
    }

    private static CallOutcome TimedOut(string cause, Deployment deployment, long started) =>
        CallOutcome.Failed(RouterError.UpstreamUnreachable(504, deployment.ProviderName, deployment.Id, cause), true,
            Stopwatch.GetElapsedTime(started));

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (buffer.Length < MaxErrorBodyBytes && (read = await stream.ReadAsync(chunk, ct)) > 0)
            buffer.Write(chunk, 0, (int)Math.Min(read, MaxErrorBodyBytes - buffer.Length));
        return buffer.ToArray();
    }
}
