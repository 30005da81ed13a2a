using System.Text;
using System.Text.Json.Nodes;

namespace Router.MockUpstream;

/// <summary>
/// OpenAI's Responses API (<c>POST /v1/responses</c>) answering with fixed bytes, for tests of a router that forwards
/// it natively: a <c>response</c> object and an event sequence with fields and an event type no translation knows,
/// which must reach the client byte for byte. The request is recorded with its raw bytes.
/// </summary>
public static class ResponsesMock
{
    public const int InputTokens = 12;
    public const int CachedTokens = 4;
    public const int OutputTokens = 9;
    public const int ReasoningTokens = 3;

    private const string Usage =
        "{\"input_tokens\":12,\"input_tokens_details\":{\"cached_tokens\":4},\"output_tokens\":9,\"output_tokens_details\":{\"reasoning_tokens\":3},\"total_tokens\":21}";

    public static readonly string Json =
        "{\"id\":\"resp_native_01\",\"object\":\"response\",\"created_at\":1764700000,\"status\":\"completed\",\"model\":\"gpt-5-mini-2025-08-07\", "
        + "\"output\":[{\"id\":\"ws_01\",\"type\":\"web_search_call\",\"status\":\"completed\",\"action\":{\"type\":\"search\",\"query\":\"tides\"}},"
        + "{\"id\":\"msg_01\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"High tide at 06:12.\","
        + "\"annotations\":[{\"type\":\"url_citation\",\"start_index\":0,\"end_index\":9,\"url\":\"https://example.org/tides\",\"title\":\"Tides\"}]}]}],"
        + "\"parallel_tool_calls\":true,\"tool_choice\":\"auto\",\"tools\":[],\"store\":true,\"metadata\":{},\"future_field\":{\"a\":1},"
        + $"\"usage\":{Usage}}}";

    public static readonly string[] Events =
    [
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_native_02\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\n",
        "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":1,\"output_index\":0,\"item\":{\"id\":\"msg_02\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}}\n\n",
        "event: response.future_event\ndata: {\"type\":\"response.future_event\",\"sequence_number\":2,\"detail\":{\"added\":\"later\"}}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":3,\"item_id\":\"msg_02\",\"output_index\":0,\"content_index\":0,\"delta\":\"High tide.\",\"logprobs\":[]}\n\n",
        $"event: response.completed\ndata: {{\"type\":\"response.completed\",\"sequence_number\":4,\"response\":{{\"id\":\"resp_native_02\",\"object\":\"response\",\"status\":\"completed\",\"output\":[],\"usage\":{Usage}}}}}\n\n",
    ];

    public static void Map(WebApplication app, string? requiredKey, Action<HttpContext, JsonObject> record) =>
        app.MapPost("/v1/responses", async context =>
        {
            if (requiredKey is not null && context.Request.Headers.Authorization != $"Bearer {requiredKey}")
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { error = new { message = "Incorrect API key provided.", type = "invalid_request_error" } });
                return;
            }
            using var raw = new MemoryStream();
            await context.Request.Body.CopyToAsync(raw);
            context.Items[ReceivedRequest.RawBodyItem] = raw.ToArray();
            var body = JsonNode.Parse(raw.ToArray())!.AsObject();
            record(context, body);
            context.Response.StatusCode = 200;
            if (body["stream"]?.GetValue<bool>() != true)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(Json);
                return;
            }
            context.Response.ContentType = "text/event-stream; charset=utf-8";
            foreach (var sseEvent in Events)
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(sseEvent));
                await context.Response.Body.FlushAsync();
            }
        });
}
