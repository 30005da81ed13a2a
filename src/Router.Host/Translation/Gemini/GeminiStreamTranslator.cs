using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Streaming;

namespace Router.Host.Translation.Gemini;

/// <summary>
/// <c>streamGenerateContent?alt=sse</c> as OpenAI chunks. Each event is a whole
/// <c>GenerateContentResponse</c> holding the next parts of each candidate; functionCall parts come
/// whole, so each becomes one tool call chunk with all its arguments. Gemini sends no [DONE]: the
/// stream is complete when every candidate named a finishReason (or the prompt was blocked) and the
/// connection closed.
/// </summary>
public sealed class GeminiStreamTranslator(ResponseContext response) : IStreamTranslator
{
    private readonly OpenAiChunks _chunks = new(response);
    private readonly HashSet<int> _started = [];
    private readonly HashSet<int> _finished = [];
    private readonly Dictionary<int, int> _toolCalls = [];
    private bool _promptBlocked;

    public TokenUsage? Usage { get; private set; }

    public ProviderStreamError? Error { get; private set; }

    public StreamSignal Accept(SseEvent upstream, List<byte[]> frames)
    {
        if (!upstream.HasData) return StreamSignal.Continue;
        var data = upstream.Data.ToArray();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            Error = new ProviderStreamError(502, data);
            return StreamSignal.Failed;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error = new ProviderStreamError(502, data);
                return StreamSignal.Failed;
            }
            if (root.TryGetProperty("error", out var error))
            {
                Error = new ProviderStreamError(Status(error), data);
                return StreamSignal.Failed;
            }
            Translate(GeminiAnswer.Read(root), frames);
            return StreamSignal.Continue;
        }
    }

    public StreamSignal End(List<byte[]> frames)
    {
        var complete = _promptBlocked || (_started.Count > 0 && _finished.IsSupersetOf(_started));
        if (!complete) return StreamSignal.Failed;
        _chunks.Close(frames, Usage);
        return StreamSignal.Finished;
    }

    private void Translate(GeminiAnswer answer, List<byte[]> frames)
    {
        if (answer.ModelVersion is { } model) _chunks.Model = model;
        if (answer.Usage is { } usage) Usage = usage; // each event carries the totals so far

        if (answer.Candidates.Count == 0 && answer.PromptBlock is { } block)
        {
            Start(0, frames);
            frames.Add(_chunks.Finish("content_filter", 0, GeminiFinishReasons.PromptBlockDetails(block.Reason, block.SafetyRatings)));
            _promptBlocked = true;
            return;
        }

        foreach (var candidate in answer.Candidates)
        {
            var choice = candidate.Index;
            Start(choice, frames);
            // The event's log probabilities cover its tokens: they go with its first piece of text.
            Action<Utf8JsonWriter>? logprobs = candidate.LogprobsResult is { } result ? json => GeminiLogprobs.Write(json, result) : null;
            foreach (var part in candidate.Parts)
            {
                switch (part)
                {
                    case GeminiText { Text.Length: 0 }:
                        break; // Gemini may send an empty text part that only carries a thought signature
                    case GeminiText { Thought: true } thought:
                        frames.Add(_chunks.Reasoning(thought.Text, choice));
                        break;
                    case GeminiText text:
                        frames.Add(_chunks.Content(text.Text, choice, logprobs));
                        logprobs = null;
                        break;
                    case GeminiFunctionCall call:
                        var index = _toolCalls.GetValueOrDefault(choice);
                        _toolCalls[choice] = index + 1;
                        frames.Add(_chunks.ToolCallStart(
                            index, call.Id ?? GeminiResponseReader.SynthesizedId(response, choice, index), call.Name, call.Arguments, choice));
                        break;
                }
            }
            if (candidate.FinishReason is { } reason && _finished.Add(choice))
            {
                frames.Add(_chunks.Finish(
                    GeminiFinishReasons.ToOpenAi(reason, _toolCalls.ContainsKey(choice)), choice,
                    GeminiFinishReasons.Details(reason, candidate.SafetyRatings)));
            }
        }
    }

    private void Start(int choice, List<byte[]> frames)
    {
        if (_started.Add(choice)) frames.Add(_chunks.Role(choice));
    }

    /// <summary>Google's error <c>code</c> is the HTTP status; anything else stands for a bad gateway.</summary>
    private static int Status(JsonElement error) =>
        error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var code)
        && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var status) && status is >= 400 and <= 599
            ? status
            : 502;
}
