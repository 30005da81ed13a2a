using System.Text.Json;
using Router.Actors.Routing;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Caching;
using Router.Host.Http;
using Router.Host.Providers;

namespace Router.Host.Proxy;

/// <summary>
/// The walk of one proxied request: authenticate, parse once, resolve the route, then the attempts
/// (admission, forwarding, retries, fallbacks, settlement: <see cref="AttemptLoop"/>). Every refusal on
/// the way is a <see cref="RouterError"/> written here.
/// </summary>
public sealed class ProxyHandler(
    KeyAuthenticator authenticator,
    RouteTable routes,
    AttemptLoop attempts,
    ResponseCaching? caching,
    long maxBodyBytes,
    ILogger<ProxyHandler> logger)
{
    public async Task HandleAsync(HttpContext context, ProxyOperation operation)
    {
        var requestId = RequestIds.Assign(context);
        try
        {
            var key = Authenticate(context, authenticator);
            var request = await ReadRequestAsync(context, operation, maxBodyBytes);
            var model = request.Model!;
            var route = routes.Resolve(model) ?? throw RouterError.ModelNotFound(model);

            var plan = caching?.Plan(context, request, route, operation);
            if (plan is not null && await caching!.TryServeAsync(context, plan, request, key, requestId, model)) return;

            var assembler = plan is { Streaming: true, Store: true } ? new ChatStreamAssembler() : null;
            var result = await attempts.RunAsync(context, request, route, operation, requestId, key,
                assembler is null ? null : frame => assembler.Add(frame));
            if (result.Outcome.Error is { } upstreamError) await ErrorWriter.WriteAsync(context, upstreamError, requestId);
            else if (plan is not null) await caching!.StoreAsync(plan, result, assembler);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug of ours: say so in the same envelope instead of an empty 500.
            logger.LogError(e, "Request {RequestId} failed inside the router", requestId);
            await ErrorWriter.WriteAsync(context, RouterError.Internal(), requestId);
        }
    }

    public static AuthenticatedKey Authenticate(HttpContext context, KeyAuthenticator authenticator)
    {
        var header = context.Request.Headers.Authorization;
        if (string.IsNullOrWhiteSpace(header)) throw RouterError.MissingKey();
        return authenticator.Authenticate(header) ?? throw RouterError.InvalidKey();
    }

    private static async Task<ProxyRequest> ReadRequestAsync(HttpContext context, ProxyOperation operation, long maxBodyBytes)
    {
        ProxyRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, WireJsonContext.Wire.ProxyRequest, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw RouterError.InvalidRequest($"The request body is not valid JSON for this endpoint: {e.Message}", code: "invalid_json");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel enforces router.max-request-body-bytes, by Content-Length or while reading a chunked body.
            throw RouterError.BodyTooLarge(maxBodyBytes);
        }

        if (request is null) throw RouterError.InvalidRequest("The request body must be a JSON object.", code: "invalid_json");
        if (string.IsNullOrWhiteSpace(request.Model))
            throw RouterError.InvalidRequest("You must provide a model parameter.", "model", "missing_model");
        var required = request.Field(operation.RequiredField);
        if (required is null || !operation.RequiredKinds.Contains(required.Value.ValueKind))
            throw RouterError.InvalidRequest(
                $"'{operation.RequiredField}' is required and must be {string.Join(" or ", operation.RequiredKinds.Select(Describe))}.",
                operation.RequiredField, $"missing_{operation.RequiredField}");
        if (required.Value.ValueKind == JsonValueKind.Array && required.Value.GetArrayLength() == 0)
            throw RouterError.InvalidRequest($"'{operation.RequiredField}' must not be empty.", operation.RequiredField,
                $"empty_{operation.RequiredField}");
        return request;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
