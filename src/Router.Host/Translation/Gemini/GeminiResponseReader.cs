using System.Text.Json;

namespace Router.Host.Translation.Gemini;

/// <summary>A complete <c>generateContent</c> answer as OpenAI's <c>chat.completion</c>.</summary>
public static class GeminiResponseReader
{
    public static TranslatedResponse Translate(byte[] body, ResponseContext response)
    {
        using var document = JsonDocument.Parse(body);
        var answer = GeminiAnswer.Read(document.RootElement);
        var model = answer.ModelVersion ?? response.Model;

        if (answer.Candidates.Count == 0 && answer.PromptBlock is { } block)
        {
            // The prompt was refused before any answer: one empty choice stopped by the filter, and the
            // feedback kept at the top level as Gemini sent it.
            var blocked = new OpenAiChoice
            {
                Index = 0, Content = null, FinishReason = "content_filter",
                Details = GeminiFinishReasons.PromptBlockDetails(block.Reason, block.SafetyRatings),
            };
            var feedback = block.Feedback;
            return new TranslatedResponse(
                OpenAiCompletion.Write(response, model, [blocked], answer.Usage, json =>
                {
                    json.WritePropertyName("prompt_feedback");
                    feedback.WriteTo(json);
                }),
                answer.Usage);
        }

        var choices = answer.Candidates.Count == 0
            ? [new OpenAiChoice { Index = 0, Content = null, FinishReason = "stop" }]
            : answer.Candidates.OrderBy(c => c.Index).Select(c => Choice(c, response)).ToList();
        return new TranslatedResponse(OpenAiCompletion.Write(response, model, choices, answer.Usage), answer.Usage);
    }

    private static OpenAiChoice Choice(GeminiCandidate candidate, ResponseContext response)
    {
        var choice = new OpenAiChoice { Index = candidate.Index };
        string? content = null;
        string? reasoning = null;
        foreach (var part in candidate.Parts)
        {
            switch (part)
            {
                case GeminiText { Thought: true } thought:
                    reasoning += thought.Text;
                    break;
                case GeminiText text:
                    content += text.Text;
                    break;
                case GeminiFunctionCall call:
                    choice.ToolCalls.Add(new OpenAiToolCall(
                        call.Id ?? SynthesizedId(response, candidate.Index, choice.ToolCalls.Count), call.Name, call.Arguments));
                    break;
            }
        }
        choice.Content = content;
        choice.Reasoning = reasoning;
        choice.FinishReason = GeminiFinishReasons.ToOpenAi(candidate.FinishReason, choice.ToolCalls.Count > 0);
        choice.Details = GeminiFinishReasons.Details(candidate.FinishReason, candidate.SafetyRatings);
        if (candidate.LogprobsResult is { } logprobs) choice.Logprobs = json => GeminiLogprobs.Write(json, logprobs);
        return choice;
    }

    /// <summary>
    /// The id of a call Gemini sent without one (it names calls only in newer API versions): unique per
    /// answer, so the calls of later turns in one conversation never share an id with earlier ones.
    /// </summary>
    public static string SynthesizedId(ResponseContext response, int candidate, int call) =>
        $"call_{(response.Id.StartsWith("chatcmpl-", StringComparison.Ordinal) ? response.Id["chatcmpl-".Length..] : response.Id)}_{candidate}_{call}";
}
