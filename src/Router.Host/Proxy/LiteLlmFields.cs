using System.Buffers;
using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Caching;
using Router.Host.Http;
using Router.Host.RequestLog;
using Router.Host.Translation;

namespace Router.Host.Proxy;

/// <summary>
/// The request fields only LiteLLM understands, which its clients send on the OpenAI endpoints and which the router
/// consumes as LiteLLM does: <c>metadata</c> (an object) and <c>tags</c> (strings; also <c>metadata.tags</c>) for the
/// request log, <c>cache</c> for the cache (<see cref="CacheControls"/>), <c>mock_response</c> for an answer no provider
/// gives. They are taken out of the request when it is read, so no provider sees them (OpenAI refuses a field it does not
/// know, and its own <c>metadata</c> means something else) and the cache key is the same with or without them.
/// </summary>
/// <param name="Metadata">The <c>metadata</c> object as compact JSON, for the request log; null when there was none.</param>
/// <param name="Tags">The tags of <c>tags</c> and <c>metadata.tags</c>, each once, in the order first given.</param>
public sealed record LiteLlmFields(string? Metadata, IReadOnlyList<string> Tags, CacheControls? Cache, string? MockResponse)
{
    public static readonly LiteLlmFields None = new(null, [], null, null);

    /// <summary>A bound that keeps a request log row a row (the tags' are <see cref="TagsColumn"/>'s): more is refused, not cut.</summary>
    public const int MaxMetadataBytes = 16 * 1024;
    private const int MaxTags = TagsColumn.MaxTags;
    private const int MaxTagLength = TagsColumn.MaxTagLength;

    public const string MetadataField = "metadata";
    public const string TagsField = "tags";
    public const string MockResponseField = "mock_response";

    /// <summary>
    /// The operations where these fields are LiteLLM's. Not Anthropic's <c>/v1/messages</c>, whose <c>metadata</c> is
    /// Anthropic's own and goes to Anthropic as sent.
    /// </summary>
    public static bool AppliesTo(ProxyOperation operation) =>
        operation == ProxyOperation.ChatCompletions || operation == ProxyOperation.Completions || operation == ProxyOperation.Embeddings;

    /// <summary>Reads and removes the fields from <paramref name="request"/>, as it is read and before anything else sees it.</summary>
    /// <exception cref="RouterError">A 400 naming the field whose value is not what LiteLLM documents, or too large.</exception>
    public static LiteLlmFields Consume(ProxyRequest request, ProxyOperation operation)
    {
        if (!AppliesTo(operation) || request.Rest is not { } rest) return None;
        var metadata = Take(rest, MetadataField);
        var tags = Take(rest, TagsField);
        var cache = Take(rest, CacheControls.Field);
        var mock = Take(rest, MockResponseField);
        if (metadata is null && tags is null && cache is null && mock is null) return None;

        var collected = new List<string>();
        if (tags is { } top) AddTags(collected, top, TagsField);
        string? metadataJson = null;
        if (metadata is { ValueKind: not JsonValueKind.Null } given)
        {
            if (given.ValueKind != JsonValueKind.Object)
                throw RouterError.InvalidRequest("'metadata' must be a JSON object.", MetadataField, "invalid_metadata");
            metadataJson = Compact(given);
            if (Encoding.UTF8.GetByteCount(metadataJson) > MaxMetadataBytes)
                throw RouterError.InvalidRequest($"'metadata' must be at most {MaxMetadataBytes / 1024} KB of JSON.", MetadataField,
                    "metadata_too_large");
            if (given.TryGetProperty(TagsField, out var nested)) AddTags(collected, nested, "metadata.tags");
        }
        return new LiteLlmFields(metadataJson, collected, cache is { } c ? CacheControls.Parse(c) : null, MockText(mock, operation));
    }

    private static JsonElement? Take(Dictionary<string, JsonElement> rest, string name) => rest.Remove(name, out var value) ? value : null;

    private static void AddTags(List<string> collected, JsonElement tags, string param)
    {
        if (tags.ValueKind == JsonValueKind.Null) return;
        if (tags.ValueKind != JsonValueKind.Array) throw InvalidTags($"'{param}' must be an array of strings.", param);
        foreach (var tag in tags.EnumerateArray())
        {
            // A tag is a label to filter by, shown in the dashboard and a CSV: text of one line, of a sensible length.
            if (tag.ValueKind != JsonValueKind.String || tag.GetString() is not { Length: > 0 and <= MaxTagLength } text
                || text.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') >= 0 || text.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') >= 0)
                throw InvalidTags($"Each of '{param}' must be a string of 1 to {MaxTagLength} characters, without control characters.", param);
            if (collected.Contains(text, StringComparer.Ordinal)) continue;
            if (collected.Count == MaxTags) throw InvalidTags($"A request may have at most {MaxTags} tags ('tags' and 'metadata.tags' together).", param);
            collected.Add(text);
        }
    }

    private static RouterError InvalidTags(string message, string param) => RouterError.InvalidRequest(message, param, "invalid_tags");

    private static string? MockText(JsonElement? mock, ProxyOperation operation)
    {
        if (mock is not { ValueKind: not JsonValueKind.Null } given) return null;
        if (operation == ProxyOperation.Embeddings)
            throw RouterError.InvalidRequest("'mock_response' answers with text; an embeddings request has no text to answer with.",
                MockResponseField, "invalid_mock_response");
        return given.ValueKind == JsonValueKind.String
            ? given.GetString()
            : throw RouterError.InvalidRequest("'mock_response' must be a string: the text of the answer.", MockResponseField, "invalid_mock_response");
    }

    // The log keeps the object without the client's spacing: what counts against the bound is what is stored.
    private static string Compact(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, TranslationJson.WriterOptions)) value.WriteTo(json);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
