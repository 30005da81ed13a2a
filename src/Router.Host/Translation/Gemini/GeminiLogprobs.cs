using System.Text;
using System.Text.Json;

namespace Router.Host.Translation.Gemini;

/// <summary>
/// A candidate's <c>logprobsResult</c> (<c>chosenCandidates</c>, and per position the <c>topCandidates</c> asked for
/// with <c>generationConfig.logprobs</c>) as OpenAI's choice <c>logprobs</c>:
/// <c>{"content":[{"token","logprob","bytes","top_logprobs":[…]}],"refusal":null}</c>. OpenAI's <c>bytes</c> are
/// the token's UTF-8 bytes, which Gemini does not send: they are taken from the token text.
/// </summary>
internal static class GeminiLogprobs
{
    public static void Write(Utf8JsonWriter json, JsonElement result)
    {
        json.WriteStartObject();
        json.WriteStartArray("content");
        if (result.TryGetProperty("chosenCandidates", out var chosen) && chosen.ValueKind == JsonValueKind.Array)
        {
            var tops = result.TryGetProperty("topCandidates", out var t) && t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().ToList() : [];
            var position = 0;
            foreach (var token in chosen.EnumerateArray())
            {
                json.WriteStartObject();
                WriteToken(json, token);
                json.WriteStartArray("top_logprobs");
                if (position < tops.Count && tops[position].TryGetProperty("candidates", out var alternatives)
                    && alternatives.ValueKind == JsonValueKind.Array)
                {
                    foreach (var alternative in alternatives.EnumerateArray())
                    {
                        json.WriteStartObject();
                        WriteToken(json, alternative);
                        json.WriteEndObject();
                    }
                }
                json.WriteEndArray();
                json.WriteEndObject();
                position++;
            }
        }
        json.WriteEndArray();
        json.WriteNull("refusal");
        json.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter json, JsonElement candidate)
    {
        var token = candidate.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        json.WriteString("token", token);
        json.WriteNumber("logprob",
            candidate.TryGetProperty("logProbability", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : 0);
        json.WriteStartArray("bytes");
        foreach (var b in Encoding.UTF8.GetBytes(token)) json.WriteNumberValue(b);
        json.WriteEndArray();
    }
}
