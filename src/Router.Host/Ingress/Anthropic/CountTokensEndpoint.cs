using System.Text.Json;
using Router.Actors.Routing;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Configuration;
using Router.Host.Http;
using Router.Host.Pricing;
using Router.Host.Providers;
using Router.Host.Translation;
using Router.Host.Translation.Anthropic;

namespace Router.Host.Ingress.Anthropic;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c> (Claude Code asks it before long prompts): forwarded to the first Anthropic
/// deployment of the model's route, as written but for the model; for a route with none, counted with the router's
/// tokenizer as a key's reservation counts it (an upper bound) and marked <c>x-router-token-count: estimated</c>.
/// Counting costs nothing at Anthropic, so nothing is admitted, charged or logged; the key must still be allowed the model.
/// </summary>
public static class CountTokensEndpoint
{
    public const string EstimateHeader = "x-router-token-count";

    public static async Task HandleAsync(HttpContext context, KeyAuthenticator authenticator, KeyStates keys, LiveConfig config, long maxBodyBytes)
    {
        var requestId = MessagesEndpoint.AdoptRequest(context);
        try
        {
            var key = authenticator.Authenticate(context);
            var request = await IngressBody.ReadRequestAsync(context, maxBodyBytes);
            var model = request.Model is { Length: > 0 } named ? named : throw RouterError.InvalidRequest("model: Field required", "model");
            if (request.Field("messages") is not { ValueKind: JsonValueKind.Array })
                throw RouterError.InvalidRequest("messages: Field required", "messages");
            var routing = config.Current;
            var route = routing.Routes.Resolve(model) ?? throw RouterError.ModelNotFound(model);
            if (!key.IsMaster && await keys.AllowedModelsAsync(key, context.RequestAborted) is { Count: > 0 } allowed
                && !allowed.Any(pattern => ModelPattern.Matches(pattern, model)))
                throw RouterError.ModelNotAllowed($"This key may not use the model '{model}'.");

            foreach (var deployment in route.Group.Deployments)
            {
                var client = routing.Providers.Get(deployment.ProviderName);
                if (client.DialectFor(ProxyOperation.Messages) is AnthropicMessagesDialect anthropic)
                {
                    await ForwardAsync(context, client, anthropic, request, route, deployment);
                    return;
                }
            }
            context.Response.Headers[EstimateHeader] = "estimated";
            var counted = TranslationJson.Write(json =>
            {
                json.WriteStartObject();
                json.WriteNumber("input_tokens", PromptTokenBound.Count(request, key.KeyId));
                json.WriteEndObject();
            });
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(counted, context.RequestAborted);
        }
        catch (RouterError error)
        {
            await MessagesEndpoint.WriteErrorAsync(context, error, requestId);
        }
    }

    private static async Task ForwardAsync(
        HttpContext context, ProviderClient client, AnthropicMessagesDialect anthropic, ProxyRequest request, RouteMatch route, Deployment deployment)
    {
        var timeouts = deployment.Timeouts ?? client.Settings.Timeouts;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeouts.Total);
        var call = anthropic.CountTokensCall(request, new CallContext(route.UpstreamModelFor(deployment), false, context.Request.Headers));
        byte[] body;
        int status;
        try
        {
            using var response = await client.SendAsync(call, timeouts.Connect, deadline.Token);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsByteArrayAsync(deadline.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            throw RouterError.UpstreamUnreachable(e is OperationCanceledException ? 504 : 502, deployment.ProviderName, deployment.Id,
                $"Could not count tokens at provider '{deployment.ProviderName}': {e.Message}");
        }
        if (status is < 200 or > 299) throw ProviderErrors.FromResponse(status, client.Credentials.MaskIn(body), deployment.ProviderName, deployment.Id);
        context.Response.Headers["x-router-deployment"] = deployment.Id;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
