using System.Text.Json;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Translation;

/// <summary>
/// What a translating dialect does with a request field its provider has no counterpart for: refuses it with a
/// 400 that names it, or, when the provider says <c>drop-params = true</c> (LiteLLM's <c>drop_params</c>), leaves
/// it out and remembers its name for the <c>x-router-dropped-params</c> header. Nothing is dropped in silence.
/// One instance serves one translation of one request.
/// </summary>
public sealed class UnmappedFields(ProviderSettings settings, string api)
{
    /// <summary>
    /// Fields the router consumes itself (routing, streaming) or that LiteLLM clients send for the gateway, not the
    /// provider; they are never the provider's concern, so never refused.
    /// </summary>
    public static readonly IReadOnlySet<string> ConsumedByRouter =
        new HashSet<string>(StringComparer.Ordinal) { "model", "stream", "stream_options", "metadata", "tags", "cache", "mock_response" };

    private readonly List<string> _dropped = [];

    /// <summary>The names of the fields left out, in the order met, each once.</summary>
    public IReadOnlyList<string> Dropped => _dropped;

    /// <summary>
    /// Refuses (or drops) every top-level field that is neither mapped by the dialect nor consumed by the router.
    /// A field sent as <c>null</c> asks for nothing and passes.
    /// </summary>
    public void CheckTopLevel(ProxyRequest request, IReadOnlySet<string> mapped)
    {
        if (request.Rest is null) return;
        foreach (var (name, value) in request.Rest)
        {
            if (value.ValueKind == JsonValueKind.Null || mapped.Contains(name) || ConsumedByRouter.Contains(name)) continue;
            Unmappable(name, name, $"'{name}' has no counterpart in {api}");
        }
    }

    /// <summary>Refuses (or drops) the message fields no translation reads, each named where it sits.</summary>
    public void CheckMessages(IReadOnlyList<ChatMessage> messages)
    {
        foreach (var path in messages.SelectMany(m => m.UntranslatedFields))
            Unmappable(path[(path.LastIndexOf('.') + 1)..], path, $"'{path}' has no counterpart in {api}");
    }

    /// <summary>
    /// A field (or a value of it) the provider cannot express. <paramref name="param"/> is where it sits in the
    /// request (<c>messages[2].content[0].cache_control</c>); <paramref name="name"/> is what the header reports.
    /// </summary>
    /// <param name="why">The sentence that explains the refusal; the advice on drop-params is added to it.</param>
    public void Unmappable(string name, string param, string why)
    {
        if (!settings.DropParams)
            throw RouterError.InvalidRequest(
                $"{why}, so provider '{settings.Name}' cannot take it. Leave it out, or set drop-params = true on the provider to have such fields dropped.",
                param, "unsupported_parameter");
        if (!_dropped.Contains(name)) _dropped.Add(name);
    }
}
