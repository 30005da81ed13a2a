using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary>
/// The body of an OpenAI-style request (chat, completions, embeddings). Only the fields the router
/// acts on are typed; every other field is kept as raw JSON and forwarded unchanged.
/// </summary>
public sealed class ProxyRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; set; }

    [JsonPropertyName("stream_options")]
    public StreamOptions? StreamOptions { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Rest { get; set; }

    /// <summary>
    /// The body exactly as the client sent it, kept where a dialect forwards it natively (Anthropic's Messages to
    /// Anthropic) so that every byte but the model reaches the provider. Null on a copy the router changed (a lowered
    /// completion limit): that one is written anew.
    /// </summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte>? Source { get; init; }

    /// <summary>
    /// A Responses request continuing a response the router stored (<c>previous_response_id</c>): the conversation so
    /// far as input items, which go before the request's own. Null when it continues none the router knows.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<JsonElement>? Conversation { get; init; }

    [JsonIgnore]
    public bool IsStreaming => Stream == true;

    public JsonElement? Field(string name) =>
        Rest is not null && Rest.TryGetValue(name, out var value) ? value : null;
}

public sealed class StreamOptions
{
    [JsonPropertyName("include_usage")]
    public bool? IncludeUsage { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Rest { get; set; }
}
