using System.Text;

namespace Router.MockUpstream;

/// <summary>
/// Answers of Anthropic's Messages API that no translation to OpenAI's shapes could carry: citations, a server tool's
/// use and result, a signed thinking block, a redacted one, cache read and write counts, a field and an event type
/// Anthropic may add later, and the spacing of a real server. A router that forwards Messages natively must hand
/// them to the client byte for byte, so tests compare against these constants.
/// </summary>
public static class AnthropicNativeAnswers
{
    public const string Model = "native-exotic";

    public const int InputTokens = 41;
    public const int CacheReadTokens = 1200;
    public const int CacheWriteTokens = 300;
    public const int OutputTokens = 57;

    public static readonly string Json =
        "{\"id\":\"msg_native_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"native-exotic\", \"content\":["
        + "{\"type\":\"thinking\",\"thinking\":\"The user wants a cited answer.\",\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxz\"},"
        + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP\"},"
        + "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_01\",\"name\":\"web_search\",\"input\":{\"query\":\"tide tables\"}},"
        + "{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_01\",\"content\":[{\"type\":\"web_search_result\",\"url\":\"https://example.org/tides\",\"title\":\"Tides\",\"encrypted_content\":\"Eo8BCioIAhgB\",\"page_age\":null}]},"
        + "{\"type\":\"text\",\"text\":\"High tide is at 06:12.\",\"citations\":[{\"type\":\"web_search_result_location\",\"url\":\"https://example.org/tides\",\"title\":\"Tides\",\"encrypted_index\":\"Eo8BCioIAhgBIiQ\",\"cited_text\":\"06:12\"}]}"
        + "],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"container\":null,"
        + $"\"usage\":{{\"input_tokens\":{InputTokens},\"cache_creation_input_tokens\":{CacheWriteTokens},\"cache_read_input_tokens\":{CacheReadTokens},"
        + $"\"cache_creation\":{{\"ephemeral_5m_input_tokens\":{CacheWriteTokens},\"ephemeral_1h_input_tokens\":0}},\"output_tokens\":{OutputTokens},"
        + "\"server_tool_use\":{\"web_search_requests\":1},\"service_tier\":\"standard\"}}";

    public static readonly string[] Events =
    [
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_native_02\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"native-exotic\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
        + $"\"usage\":{{\"input_tokens\":{InputTokens},\"cache_creation_input_tokens\":{CacheWriteTokens},\"cache_read_input_tokens\":{CacheReadTokens},\"output_tokens\":1}}}}}}\n\n",
        "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Cite the table.\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxz\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"char_location\",\"cited_text\":\"06:12\",\"document_index\":0,\"start_char_index\":0,\"end_char_index\":5}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"High tide is at 06:12.\"}}\n\n",
        "event: future_event\ndata: {\"type\":\"future_event\",\"detail\":{\"added\":\"later\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
        $"event: message_delta\ndata: {{\"type\":\"message_delta\",\"delta\":{{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}},\"usage\":{{\"output_tokens\":{OutputTokens}}}}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ];

    public static async Task WriteAsync(HttpContext context, bool stream, CancellationToken ct)
    {
        context.Response.StatusCode = 200;
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Json, ct);
            return;
        }
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        foreach (var sseEvent in Events)
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(sseEvent), ct);
            await context.Response.Body.FlushAsync(ct);
        }
    }
}
