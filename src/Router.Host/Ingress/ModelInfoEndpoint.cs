using System.Buffers;
using System.Text.Json;
using Router.Contracts.Configuration;
using Router.Host.Auth;
using Router.Host.Configuration;
using Router.Host.Http;
using Router.Host.Pricing;
using Router.Host.Providers;

namespace Router.Host.Ingress;

/// <summary>
/// <c>GET /v1/model/info</c> (and <c>/model/info</c>) in LiteLLM's shape, which Roo Code and Cline read for context
/// windows and prices: <c>{"data": [{"model_name", "litellm_params": {"model", "api_base"}, "model_info": {...}}]}</c>,
/// one entry per name <c>/v1/models</c> lists to the same key. <c>litellm_params.model</c> is
/// <c>provider/upstream-model</c>; no key, header or credential of a provider is ever in the answer.
/// </summary>
public static class ModelInfoEndpoint
{
    public static async Task HandleAsync(
        HttpContext context, KeyAuthenticator authenticator, LiveConfig live, DiscoveredModels discovered, KeyStates keys, ModelCatalog catalog)
    {
        var requestId = RequestIds.Assign(context);
        try
        {
            var allowed = await ModelsEndpoint.AllowedModelsAsync(context, authenticator, keys);
            var config = live.Current;
            var providers = config.Settings.Providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
            var prices = new CostCalculator(catalog, config.Settings.Prices);
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartArray("data");
                foreach (var model in ListedModels.For(config.Routes, discovered, allowed))
                {
                    var provider = providers[model.Deployment.ProviderName];
                    WriteEntry(json, model, provider, catalog.Find(CostCalculator.PrefixOf(provider), model.UpstreamModel),
                        prices.PriceOf(provider, model.Name, model.UpstreamModel), config.ContextWindows.LimitOf(model.Deployment, model.UpstreamModel));
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
    }

    private static void WriteEntry(Utf8JsonWriter json, ListedModel model, ProviderSettings provider, ModelFacts? facts, ModelPrice? price, int? maxInputTokens)
    {
        json.WriteStartObject();
        json.WriteString("model_name", model.Name);
        json.WriteStartObject("litellm_params");
        json.WriteString("model", $"{provider.Name}/{model.UpstreamModel}");
        json.WriteString("api_base", PublicAddress(provider.ApiBase));
        json.WriteEndObject();
        json.WriteStartObject("model_info");
        // A pattern's models share its deployment; each has its own circuit under this id (see RouteMatch.CircuitOf).
        json.WriteString("id", model.Deployment.IsPattern ? $"{model.Deployment.Id}>{model.UpstreamModel}" : model.Deployment.Id);
        json.WriteString("key", model.UpstreamModel);
        Number(json, "max_input_tokens", maxInputTokens);
        // LiteLLM's max_tokens is the output limit (its older name for it), which is what Roo Code reads.
        Number(json, "max_tokens", facts?.MaxOutputTokens);
        Number(json, "max_output_tokens", facts?.MaxOutputTokens);
        Number(json, "input_cost_per_token", price?.InputPerToken);
        Number(json, "output_cost_per_token", price?.OutputPerToken);
        Number(json, "cache_read_input_token_cost", price?.CacheReadPerToken);
        Number(json, "cache_creation_input_token_cost", price?.CacheWritePerToken);
        json.WriteString("litellm_provider", CostCalculator.PrefixOf(provider));
        json.WriteString("mode", facts?.Mode ?? "chat");
        // What the table knows the model does (Roo Code reads supports_vision and supports_prompt_caching).
        foreach (var flag in facts?.Supports ?? []) json.WriteBoolean(flag, true);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// The provider's address without what may carry a credential: user info (<c>https://user:pass@host</c>) and
    /// the query (<c>?key=…</c>), which LiteLLM's answer is known to leak.
    /// </summary>
    public static string PublicAddress(Uri apiBase) =>
        apiBase.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private static void Number(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } n) json.WriteNumber(name, n);
        else json.WriteNull(name);
    }

    private static void Number(Utf8JsonWriter json, string name, decimal? value)
    {
        if (value is { } n) json.WriteNumber(name, n);
        else json.WriteNull(name);
    }
}
