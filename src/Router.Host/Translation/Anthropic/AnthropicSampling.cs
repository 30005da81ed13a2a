using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation.Anthropic;

/// <summary>
/// <c>temperature</c>, <c>top_p</c> and <c>top_k</c> (LiteLLM passes Anthropic's own <c>top_k</c>) as Anthropic
/// takes them. While Claude thinks, Anthropic takes no temperature but 1, no <c>top_k</c>, and a <c>top_p</c>
/// only from 0.95 to 1: any other value cannot reach it with its meaning, and goes to
/// <see cref="UnmappedFields"/>.
/// </summary>
internal sealed record AnthropicSampling(double? Temperature, double? TopP, int? TopK)
{
    public static AnthropicSampling Read(ProxyRequest request, AnthropicThinking thinking, UnmappedFields fields)
    {
        var temperature = ChatRequestReader.Number(request, "temperature");
        var topP = ChatRequestReader.Number(request, "top_p");
        var topK = ChatRequestReader.Int(request, "top_k");
        if (!thinking.Enabled) return new AnthropicSampling(temperature, topP, topK);

        if (temperature is { } t && t != 1)
        {
            fields.Unmappable("temperature", "temperature", "Anthropic takes no temperature but 1 while Claude thinks");
            temperature = null;
        }
        if (topP is { } p && p is < 0.95 or > 1)
        {
            fields.Unmappable("top_p", "top_p", "Anthropic takes a top_p only from 0.95 to 1 while Claude thinks");
            topP = null;
        }
        if (topK is not null)
        {
            fields.Unmappable("top_k", "top_k", "Anthropic takes no top_k while Claude thinks");
            topK = null;
        }
        return new AnthropicSampling(temperature, topP, topK);
    }

    public void Write(Utf8JsonWriter json)
    {
        if (Temperature is { } temperature) json.WriteNumber("temperature", temperature);
        if (TopP is { } topP) json.WriteNumber("top_p", topP);
        if (TopK is { } topK) json.WriteNumber("top_k", topK);
    }
}
