using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Caching;
using Router.Host.Configuration;
using Router.Host.Http;
using Router.Host.Metrics;
using Router.Host.RequestLog;
using Router.Host.Tracing;

namespace Router.Host.Proxy;

/// <summary>
/// The walk of one proxied request: authenticate, parse once, resolve the route, then the attempts
/// (admission, forwarding, retries, fallbacks, settlement: <see cref="AttemptLoop"/>). Every refusal on
/// the way is a <see cref="RouterError"/> written here.
/// </summary>
public sealed class ProxyHandler(
    KeyAuthenticator authenticator,
    LiveConfig config,
    AttemptLoop attempts,
    MockResponder mocks,
    ResponseCaching? caching,
    long maxBodyBytes,
    ILogger<ProxyHandler> logger,
    RequestLogWriter? requestLog = null,
    RouterMetrics? metrics = null,
    RequestSpans? spans = null)
{
    /// <summary>A request as a client sent it to an OpenAI endpoint.</summary>
    public Task HandleAsync(HttpContext context, ProxyOperation operation) => WalkAsync(context, operation, ingress: null);

    /// <summary>
    /// A request an ingress in front has authenticated and made into an OpenAI request itself (<c>/v1/messages</c>):
    /// the body is not read again.
    /// </summary>
    public Task HandleAsync(HttpContext context, ProxyOperation operation, AuthenticatedKey key, ProxyRequest request) =>
        WalkAsync(context, operation, (key, request));

    private async Task WalkAsync(HttpContext context, ProxyOperation operation, (AuthenticatedKey Key, ProxyRequest Request)? ingress)
    {
        var requestId = RequestIds.Assign(context);
        // Request log: the trace of this request, and the overhead header when the response starts.
        var trace = new RequestTrace();
        context.Response.OnStarting(WriteOverheadHeader, (context.Response, trace));
        AuthenticatedKey? key = null;
        string? model = null;
        AttemptsResult? result = null;
        RouterError? failure = null;
        CachedResponse? served = null;
        var liteLlm = LiteLlmFields.None;
        var streaming = false;
        try
        {
            try
            {
                key = ingress?.Key ?? authenticator.Authenticate(context);
            }
            finally
            {
                // A caller's traceparent may decide sampling only once the caller is known: else anyone could
                // have every refused request traced and exported.
                trace.Span = spans?.Start(context, operation, requestId, followCaller: key is not null);
            }
            var request = ingress?.Request ?? await ReadRequestAsync(context, maxBodyBytes);
            Validate(request, operation);
            // LiteLLM's own fields are the router's to act on, never a provider's to see. An ingress's body is its own API's
            // (Anthropic's metadata is Anthropic's): not LiteLLM's.
            if (ingress is null) liteLlm = LiteLlmFields.Consume(request, operation);
            model = request.Model!;
            streaming = operation.CanStream && request.IsStreaming;
            // The configuration in force now serves this request to its end, whatever a reload does meanwhile.
            var routing = config.Current;
            var route = routing.Routes.Resolve(model) ?? throw RouterError.ModelNotFound(model);
            model = route.RequestedModel; // the configuration's own string for an exact name (RouteTable.Resolve)

            if (liteLlm.MockResponse is { } mock)
            {
                result = await mocks.AnswerAsync(context, operation, key, request, model, requestId, mock, trace);
                return;
            }

            var plan = caching?.Plan(context, request, route, operation, key, liteLlm.Cache);
            if (plan is not null && (served = await caching!.FindAsync(context, plan, key, requestId, model)) is not null)
            {
                await caching.ServeAsync(context, plan, request, served);
                return;
            }

            var assembler = plan is { Streaming: true, Store: true } ? new ChatStreamAssembler() : null;
            result = await attempts.RunAsync(new ProxyExchange
            {
                Context = context,
                RequestId = requestId,
                Operation = operation,
                Key = key,
                Request = request,
                Routing = routing,
                Route = route,
                Trace = trace,
                ObserveFrames = streaming ? FrameObserver(trace, assembler) : null,
            });
            if (result.Outcome.Error is { } upstreamError)
            {
                failure = upstreamError;
                ChargeHeaders.Write(context.Response.Headers, result.Cost, result.KeyRemaining);
                await ErrorWriter.WriteAsync(context, upstreamError, requestId);
            }
            // An answer cut short by its key's budget is not the answer to the request as asked: it is not kept for others.
            else if (plan is not null && !CompletionCap.Applied(context.Response)) await caching!.StoreAsync(plan, request, result, assembler);
        }
        catch (RouterError error)
        {
            failure = error;
            if (!context.Response.HasStarted) context.Response.Headers[ChargeHeaders.Cost] = "0";
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug of ours: say so in the same envelope instead of an empty 500.
            logger.LogError(e, "Request {RequestId} failed inside the router", requestId);
            failure = RouterError.Internal();
            await ErrorWriter.WriteAsync(context, failure, requestId);
        }
        finally
        {
            // One row for all three: the request log, metrics (even when the log is off) and the request's span.
            if (requestLog is not null || metrics is not null || trace.Span is not null)
            {
                var entry = LogEntry(context, trace, requestId, key, model, liteLlm, result, failure, streaming, served);
                metrics?.Record(entry);
                if (trace.Span is { } span)
                {
                    trace.AbandonAttemptSpan(); // one the walk left open
                    spans?.Finish(span, context, entry, key, failure);
                }
                // Last: while the log's writer is behind, the row waits for room, after the answer (a stream's last
                // chunk too) has gone out; the connection's next request waits with it.
                if (requestLog?.WriteAsync(entry) is { IsCompleted: false } waiting)
                {
                    await CompleteResponseAsync(context);
                    await waiting;
                }
            }
        }
    }

    private static async Task CompleteResponseAsync(HttpContext context)
    {
        try
        {
            await context.Response.CompleteAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The client has left, or the answer broke off: nothing more goes out either way.
        }
    }

    /// <summary>The request log's row for a finished request.</summary>
    /// <param name="served">The cached answer, when the request was a hit.</param>
    private static RequestLogEntry LogEntry(
        HttpContext context, RequestTrace trace, string requestId, AuthenticatedKey? key, string? model, LiteLlmFields liteLlm,
        AttemptsResult? result, RouterError? failure, bool streaming, CachedResponse? served)
    {
        string? cache = context.Response.Headers[ResponseCaching.Header];
        var usage = result?.Outcome.Usage ?? TokenUsage.None;
        var last = trace.LastAttempt;
        // 499 (nginx's "client closed request"): the client left before it had the answer, whether during an attempt
        // or before one began (then the walk ended with the cancellation, and no result).
        var status = context.RequestAborted.IsCancellationRequested && failure is null
                     && (result is null ? served is null : result.Outcome.Result == Contracts.Messages.CallResult.Abandoned)
            ? 499
            : context.Response.StatusCode;
        return new RequestLogEntry
        {
            Time = trace.StartedAt,
            RequestId = requestId,
            KeyId = key?.KeyId,
            KeyPrefix = key?.DisplayPrefix,
            KeyAlias = key?.Alias,
            RequestedModel = model,
            RoutedModel = result?.ServedBy ?? served?.Producer.Model,
            Provider = last?.Provider,
            Deployment = last?.Deployment,
            Status = status,
            UpstreamStatus = failure is null ? last?.UpstreamStatus : failure.Body.UpstreamStatus,
            ErrorOrigin = failure?.Body.Origin ?? last?.ErrorOrigin,
            PromptTokens = usage.PromptTokens,
            CompletionTokens = usage.CompletionTokens,
            CachedTokens = usage.CachedPromptTokens,
            Cost = result?.Cost ?? 0m,
            Estimated = usage.Estimated,
            CacheHit = served is not null,
            Cache = cache,
            SavedCost = served?.Cost ?? 0m,
            LatencyMs = trace.ElapsedMs(),
            TtftMs = streaming ? trace.TtftMs : null,
            OverheadMs = Math.Max(0, trace.ElapsedMs() - trace.AttemptsMs),
            UpstreamError = failure?.Body.UpstreamBody is { } body ? body.GetRawText() : null,
            Attempts = trace.Attempts,
            Metadata = liteLlm.Metadata,
            Tags = liteLlm.Tags,
            Mocked = liteLlm.MockResponse is not null,
        };
    }

    // Static, with the response and trace as its state: a lambda would make a closure and a delegate for every request.
    private static readonly Func<object, Task> WriteOverheadHeader = static state =>
    {
        var (response, trace) = ((HttpResponse, RequestTrace))state;
        response.Headers[RequestTrace.OverheadHeader] = RequestTrace.Format(trace.OverheadMs());
        return Task.CompletedTask;
    };

    /// <summary>What sees each frame a stream sends the client: the trace (its first token's time), and the assembler of an answer to keep.</summary>
    private static Action<byte[]> FrameObserver(RequestTrace trace, ChatStreamAssembler? assembler) =>
        assembler is null ? _ => trace.FrameSent() : frame => { trace.FrameSent(); assembler.Add(frame); };

    public const int MaxModelNameLength = 256;

    private static async ValueTask<ProxyRequest> ReadRequestAsync(HttpContext context, long maxBodyBytes)
    {
        using var body = await PooledBody.ReadAsync(context.Request, maxBodyBytes, context.RequestAborted);
        return ProxyRequestBody.Parse(body.Span);
    }

    /// <summary>What every request needs before it is routed: a model, and the field its operation cannot do without.</summary>
    private static void Validate(ProxyRequest request, ProxyOperation operation)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
            throw RouterError.InvalidRequest("You must provide a model parameter.", "model", "missing_model");
        // A model name ends up in logs, metrics and the request log: one of any length or with control
        // characters is no model any provider has, and only a way to bloat or garble those.
        if (request.Model.Length > MaxModelNameLength || request.Model.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') >= 0
            || request.Model.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') >= 0)
            throw RouterError.InvalidRequest(
                $"'model' must be at most {MaxModelNameLength} characters, without control characters.", "model", "invalid_model");
        var required = request.Field(operation.RequiredField);
        if (required is null || !operation.RequiredKinds.Contains(required.Value.ValueKind))
            throw RouterError.InvalidRequest(
                $"'{operation.RequiredField}' is required and must be {string.Join(" or ", operation.RequiredKinds.Select(Describe))}.",
                operation.RequiredField, $"missing_{operation.RequiredField}");
        if (required.Value.ValueKind == JsonValueKind.Array && required.Value.GetArrayLength() == 0)
            throw RouterError.InvalidRequest($"'{operation.RequiredField}' must not be empty.", operation.RequiredField,
                $"empty_{operation.RequiredField}");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
