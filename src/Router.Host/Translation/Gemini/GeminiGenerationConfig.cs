using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Translation.Gemini;

/// <summary>
/// The request's sampling and output fields as Gemini's <c>generationConfig</c>: <c>temperature</c>, <c>top_p</c>,
/// <c>top_k</c>, the completion limit, <c>stop</c>, <c>n</c> (<c>candidateCount</c>), the penalties, <c>seed</c>,
/// <c>response_format</c> and thinking (<see cref="GeminiThinking"/>).
/// </summary>
internal static class GeminiGenerationConfig
{
    public static void Write(Utf8JsonWriter json, ProxyRequest request, GeminiThinking thinking)
    {
        var temperature = ChatRequestReader.Number(request, "temperature");
        var topP = ChatRequestReader.Number(request, "top_p");
        var topK = ChatRequestReader.Int(request, "top_k");
        var maxTokens = ChatRequestReader.MaxTokens(request);
        var stop = ChatRequestReader.Stop(request);
        var n = ChatRequestReader.Int(request, "n");
        if (n is < 1) throw RouterError.InvalidRequest("'n' must be a positive integer.", "n");
        var presence = ChatRequestReader.Number(request, "presence_penalty");
        var frequency = ChatRequestReader.Number(request, "frequency_penalty");
        var seed = ChatRequestReader.Int(request, "seed");
        var (mimeType, schema) = ResponseFormat(request);
        var (logprobs, topLogprobs) = Logprobs(request);
        if (temperature is null && topP is null && topK is null && maxTokens is null && stop.Count == 0 && n is null
            && presence is null && frequency is null && seed is null && mimeType is null && !thinking.IsSet && !logprobs)
            return;

        json.WriteStartObject("generationConfig");
        if (temperature is { } t) json.WriteNumber("temperature", t);
        if (topP is { } p) json.WriteNumber("topP", p);
        if (topK is { } k) json.WriteNumber("topK", k);
        if (maxTokens is { } max) json.WriteNumber("maxOutputTokens", max);
        if (stop.Count > 0)
        {
            json.WriteStartArray("stopSequences");
            foreach (var s in stop) json.WriteStringValue(s);
            json.WriteEndArray();
        }
        if (n is { } count) json.WriteNumber("candidateCount", count);
        if (presence is { } pp) json.WriteNumber("presencePenalty", pp);
        if (frequency is { } fp) json.WriteNumber("frequencyPenalty", fp);
        if (seed is { } sd) json.WriteNumber("seed", sd);
        if (mimeType is not null) json.WriteString("responseMimeType", mimeType);
        if (schema is { } s2)
        {
            // responseJsonSchema takes JSON Schema as it is (responseSchema wants Google's OpenAPI subset)
            // and requires responseMimeType application/json.
            json.WritePropertyName("responseJsonSchema");
            s2.WriteTo(json);
        }
        if (logprobs) json.WriteBoolean("responseLogprobs", true);
        if (topLogprobs is { } top) json.WriteNumber("logprobs", top);
        thinking.Write(json);
        json.WriteEndObject();
    }

    /// <summary>
    /// <c>logprobs: true</c> is <c>responseLogprobs</c>; <c>top_logprobs</c> (0 to 20, and only with logprobs, as
    /// OpenAI requires) is <c>logprobs</c>, the number of alternatives per token.
    /// </summary>
    private static (bool Logprobs, int? Top) Logprobs(ProxyRequest request)
    {
        var logprobs = ChatRequestReader.Flag(request, "logprobs") is true;
        var top = ChatRequestReader.Int(request, "top_logprobs");
        if (top is not null && (top is < 0 or > 20 || !logprobs))
            throw RouterError.InvalidRequest("'top_logprobs' must be from 0 to 20, with 'logprobs' true.", "top_logprobs");
        return (logprobs, top);
    }

    /// <summary><c>response_format</c>: json_object → JSON output; json_schema → JSON output with its schema; text → nothing.</summary>
    private static (string? MimeType, JsonElement? Schema) ResponseFormat(ProxyRequest request)
    {
        switch (request.Field("response_format"))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return (null, null);
            case { ValueKind: JsonValueKind.Object } format:
                var type = format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                switch (type)
                {
                    case "text":
                        return (null, null);
                    case "json_object":
                        return ("application/json", null);
                    case "json_schema":
                        if (format.TryGetProperty("json_schema", out var spec) && spec.ValueKind == JsonValueKind.Object
                            && spec.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
                            return ("application/json", schema);
                        throw RouterError.InvalidRequest("'response_format.json_schema.schema' is required and must be an object.", "response_format.json_schema.schema");
                    default:
                        throw RouterError.InvalidRequest($"'response_format.type' '{type}' is not one of: text, json_object, json_schema.", "response_format.type");
                }
            default:
                throw RouterError.InvalidRequest("'response_format' must be an object.", "response_format");
        }
    }
}
