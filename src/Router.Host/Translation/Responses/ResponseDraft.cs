using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Translation.Responses;

/// <summary>One item of a response's <c>output</c>, as a bridged answer produces them.</summary>
public abstract record OutputItem(string Id);

/// <summary>The provider's reasoning text, as a <c>reasoning</c> item's summary.</summary>
public sealed record ReasoningItem(string Id, string Text) : OutputItem(Id);

public sealed record MessageItem(string Id, string Text) : OutputItem(Id);

public sealed record FunctionCallItem(string Id, string CallId, string Name, string Arguments) : OutputItem(Id);

/// <summary>
/// A Responses <c>response</c> object being made from a chat answer: its items, status and usage, and the request's
/// settings it repeats (as OpenAI's does, and as the SDKs read them).
/// </summary>
public sealed class ResponseDraft(string id, long createdAt, string model, ProxyRequest? request)
{
    public string Id { get; } = id;
    public string Model { get; set; } = model;
    public List<OutputItem> Output { get; } = [];
    public string Status { get; set; } = "in_progress";
    public string? IncompleteReason { get; set; }
    public TokenUsage? Usage { get; set; }

    /// <summary>A response id from the walk's answer id (<c>chatcmpl-…</c>): <c>resp_…</c>, and an item id of a kind (<c>msg</c>, <c>fc</c>, <c>rs</c>).</summary>
    public static string ResponseId(string answerId) => ResponsePrefix + Suffix(answerId);

    public string ItemId(string kind, int index) => $"{kind}_{Id[ResponsePrefix.Length..]}_{index}";

    private const string ResponsePrefix = "resp_";

    /// <summary>What follows the answer id's kind (<c>chatcmpl-</c>): the request id, which may itself hold dashes.</summary>
    private static string Suffix(string answerId) => answerId[(answerId.IndexOf('-') + 1)..];

    /// <summary>The status a chat finish reason gives: a cut by length or filter is incomplete, with its reason.</summary>
    public void Finish(string? finishReason)
    {
        (Status, IncompleteReason) = finishReason switch
        {
            "length" => ("incomplete", "max_output_tokens"),
            "content_filter" => ("incomplete", "content_filter"),
            _ => ("completed", null),
        };
    }

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteString("object", "response");
        json.WriteNumber("created_at", createdAt);
        json.WriteString("status", Status);
        json.WriteNull("error");
        if (IncompleteReason is { } reason)
        {
            json.WriteStartObject("incomplete_details");
            json.WriteString("reason", reason);
            json.WriteEndObject();
        }
        else json.WriteNull("incomplete_details");
        json.WriteString("model", Model);
        json.WriteStartArray("output");
        foreach (var item in Output) WriteItem(json, item, "completed");
        json.WriteEndArray();
        WriteEcho(json);
        if (Usage is { } usage) WriteUsage(json, usage);
        else json.WriteNull("usage");
        json.WriteEndObject();
    }

    public static void WriteItem(Utf8JsonWriter json, OutputItem item, string status)
    {
        json.WriteStartObject();
        switch (item)
        {
            case ReasoningItem reasoning:
                json.WriteString("type", "reasoning");
                json.WriteString("id", reasoning.Id);
                json.WriteStartArray("summary");
                if (reasoning.Text.Length > 0)
                {
                    json.WriteStartObject();
                    json.WriteString("type", "summary_text");
                    json.WriteString("text", reasoning.Text);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case MessageItem message:
                json.WriteString("type", "message");
                json.WriteString("id", message.Id);
                json.WriteString("status", status);
                json.WriteString("role", "assistant");
                json.WriteStartArray("content");
                if (status == "completed") WriteTextPart(json, message.Text);
                json.WriteEndArray();
                break;
            case FunctionCallItem call:
                json.WriteString("type", "function_call");
                json.WriteString("id", call.Id);
                json.WriteString("call_id", call.CallId);
                json.WriteString("name", call.Name);
                json.WriteString("arguments", call.Arguments);
                json.WriteString("status", status);
                break;
        }
        json.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", "output_text");
        json.WriteString("text", text);
        json.WriteStartArray("annotations");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The request's settings, or OpenAI's defaults for those it left out.</summary>
    private void WriteEcho(Utf8JsonWriter json)
    {
        Echo(json, "instructions");
        Echo(json, "max_output_tokens");
        Echo(json, "previous_response_id");
        Echo(json, "temperature", 1);
        Echo(json, "top_p", 1);
        Echo(json, "parallel_tool_calls", true);
        Echo(json, "tool_choice", "auto");
        Echo(json, "store", true);
        Echo(json, "truncation", "disabled");
        Echo(json, "user");
        if (Field("tools") is { } tools) { json.WritePropertyName("tools"); tools.WriteTo(json); }
        else { json.WriteStartArray("tools"); json.WriteEndArray(); }
        if (Field("metadata") is { ValueKind: JsonValueKind.Object } metadata) { json.WritePropertyName("metadata"); metadata.WriteTo(json); }
        else { json.WriteStartObject("metadata"); json.WriteEndObject(); }
        if (Field("text") is { } text) { json.WritePropertyName("text"); text.WriteTo(json); }
        else
        {
            json.WriteStartObject("text");
            json.WriteStartObject("format");
            json.WriteString("type", "text");
            json.WriteEndObject();
            json.WriteEndObject();
        }
        if (Field("reasoning") is { } reasoning) { json.WritePropertyName("reasoning"); reasoning.WriteTo(json); }
        else json.WriteNull("reasoning");
    }

    private JsonElement? Field(string name) => request?.Field(name) is { ValueKind: not JsonValueKind.Null } value ? value : null;

    private void Echo(Utf8JsonWriter json, string name, object? fallback = null)
    {
        json.WritePropertyName(name);
        if (Field(name) is { } value) value.WriteTo(json);
        else switch (fallback)
        {
            case bool flag: json.WriteBooleanValue(flag); break;
            case int number: json.WriteNumberValue(number); break;
            case string text: json.WriteStringValue(text); break;
            default: json.WriteNullValue(); break;
        }
    }

    public static void WriteUsage(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("input_tokens", usage.PromptTokens);
        json.WriteStartObject("input_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedPromptTokens);
        json.WriteEndObject();
        json.WriteNumber("output_tokens", usage.CompletionTokens);
        json.WriteStartObject("output_tokens_details");
        json.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        json.WriteEndObject();
        json.WriteNumber("total_tokens", usage.PromptTokens + usage.CompletionTokens);
        json.WriteEndObject();
    }
}
