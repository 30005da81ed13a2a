using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation.Gemini;

/// <summary>
/// One <c>GenerateContentResponse</c> (a whole answer, or one event of a stream) read into what the
/// translation needs: its candidates' parts in order, the prompt feedback when the prompt was blocked,
/// the usage and the model that answered.
/// </summary>
public sealed record GeminiAnswer(
    IReadOnlyList<GeminiCandidate> Candidates, GeminiPromptBlock? PromptBlock, TokenUsage? Usage, string? ModelVersion)
{
    public static GeminiAnswer Read(JsonElement root)
    {
        var candidates = new List<GeminiCandidate>();
        if (root.TryGetProperty("candidates", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var candidate in list.EnumerateArray())
            {
                // proto3 JSON leaves out a zero index, so a missing one is 0 (the position if 0 is taken).
                var index = candidate.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32()
                    : candidates.Any(c => c.Index == 0) ? position : 0;
                candidates.Add(new GeminiCandidate(
                    index, Parts(candidate), String(candidate, "finishReason"),
                    candidate.TryGetProperty("safetyRatings", out var ratings) ? ratings.Clone() : null,
                    candidate.TryGetProperty("logprobsResult", out var logprobs) && logprobs.ValueKind == JsonValueKind.Object ? logprobs.Clone() : null));
                position++;
            }
        }
        return new GeminiAnswer(candidates, Block(root), ReadUsage(root), String(root, "modelVersion"));
    }

    private static List<GeminiPart> Parts(JsonElement candidate)
    {
        var parts = new List<GeminiPart>();
        if (!candidate.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Object
            || !content.TryGetProperty("parts", out var list) || list.ValueKind != JsonValueKind.Array)
            return parts;
        foreach (var part in list.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object) continue;
            if (part.TryGetProperty("functionCall", out var call) && call.ValueKind == JsonValueKind.Object)
            {
                parts.Add(new GeminiFunctionCall(String(call, "id"), String(call, "name") ?? "", Arguments(call)));
            }
            else if (String(part, "text") is { } text)
            {
                var thought = part.TryGetProperty("thought", out var t) && t.ValueKind == JsonValueKind.True;
                parts.Add(new GeminiText(text, thought));
            }
            // inlineData, executableCode, codeExecutionResult…: nothing OpenAI's chat answer can carry.
        }
        return parts;
    }

    /// <summary>The call's <c>args</c> object as compact JSON text, the way OpenAI carries arguments.</summary>
    private static string Arguments(JsonElement call) =>
        call.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Object
            ? System.Text.Encoding.UTF8.GetString(TranslationJson.Write(args.WriteTo))
            : "{}";

    private static GeminiPromptBlock? Block(JsonElement root)
    {
        if (!root.TryGetProperty("promptFeedback", out var feedback) || feedback.ValueKind != JsonValueKind.Object
            || String(feedback, "blockReason") is not { } reason)
            return null;
        return new GeminiPromptBlock(reason, feedback.TryGetProperty("safetyRatings", out var ratings) ? ratings.Clone() : null, feedback.Clone());
    }

    /// <summary>
    /// <c>usageMetadata</c> in OpenAI's terms: thoughts are completion tokens (as OpenAI counts reasoning),
    /// and cached content is part of the prompt count already.
    /// </summary>
    private static TokenUsage? ReadUsage(JsonElement root)
    {
        if (!root.TryGetProperty("usageMetadata", out var usage) || usage.ValueKind != JsonValueKind.Object) return null;
        var thoughts = Int(usage, "thoughtsTokenCount");
        return new TokenUsage(
            Int(usage, "promptTokenCount"),
            Int(usage, "candidatesTokenCount") + thoughts,
            Int(usage, "cachedContentTokenCount"),
            ReasoningTokens: thoughts);
    }

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : 0;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <param name="SafetyRatings">The candidate's <c>safetyRatings</c> as sent.</param>
/// <param name="LogprobsResult">The candidate's <c>logprobsResult</c> (sent when asked for with <c>responseLogprobs</c>).</param>
public sealed record GeminiCandidate(
    int Index, IReadOnlyList<GeminiPart> Parts, string? FinishReason, JsonElement? SafetyRatings, JsonElement? LogprobsResult = null);

public abstract record GeminiPart;

/// <param name="Thought">A thought summary (<c>"thought": true</c>) rather than answer text.</param>
public sealed record GeminiText(string Text, bool Thought) : GeminiPart;

/// <param name="Arguments">The <c>args</c> object as JSON text.</param>
public sealed record GeminiFunctionCall(string? Id, string Name, string Arguments) : GeminiPart;

/// <summary>A prompt Gemini refused to answer: <c>promptFeedback.blockReason</c>, its ratings, and the feedback as sent.</summary>
public sealed record GeminiPromptBlock(string Reason, JsonElement? SafetyRatings, JsonElement Feedback);
