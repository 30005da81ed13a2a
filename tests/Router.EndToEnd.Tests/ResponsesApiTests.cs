#pragma warning disable OPENAI001 // the SDK marks its Responses client experimental
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Responses;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The OpenAI .NET SDK's Responses client through <c>/v1/responses</c>: natively to a provider of type openai (bytes
/// unchanged both ways but the model), bridged to OpenAI-compatible, Anthropic and Gemini backends (text, streamed
/// events the SDK assembles, a tool call and its output over two turns), and the refusals the bridge owes.
/// </summary>
[Collection("gateway")]
public sealed class ResponsesApiTests(GatewayFixture gateway)
{
    private static readonly string[] Bridged = ["mock/gpt-4o-mini", "claude/claude-sonnet-4-5", "google/gemini-2.5-flash"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ResponsesClient Client(string key = GatewayFixture.MasterKey) => new(new ApiKeyCredential(key), new ResponsesClientOptions
    {
        Endpoint = new Uri(gateway.Router.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    public static TheoryData<string> BridgedModels() => new(Bridged);

    [Theory]
    [MemberData(nameof(BridgedModels))]
    public async Task A_bridged_backend_answers_a_Responses_object(string model)
    {
        var response = (await Client().CreateResponseAsync(new CreateResponseOptions(model, [ResponseItem.CreateUserMessageItem("Say hello there")])
        {
            Instructions = "Be brief.",
            MaxOutputTokenCount = 200,
        }, Ct)).Value;

        Assert.Equal("Say hello there", response.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.True(response.Usage.InputTokenCount > 0);
        Assert.True(response.Usage.OutputTokenCount > 0);
        Assert.StartsWith("resp_", response.Id);
    }

    [Theory]
    [MemberData(nameof(BridgedModels))]
    public async Task A_bridged_stream_is_the_Responses_event_sequence_the_SDK_assembles(string model)
    {
        var deltas = new StringBuilder();
        var sequence = new List<int>();
        ResponseResult? completed = null;
        await foreach (var update in await Client().CreateResponseStreamingAsync(
                           new CreateResponseOptions(model, [ResponseItem.CreateUserMessageItem("Stream these four words")]) { StreamingEnabled = true }, Ct))
        {
            sequence.Add(update.SequenceNumber);
            if (update is StreamingResponseOutputTextDeltaUpdate delta) deltas.Append(delta.Delta);
            if (update is StreamingResponseCompletedUpdate done) completed = done.Response;
        }

        Assert.Equal("Stream these four words", deltas.ToString());
        Assert.Equal(Enumerable.Range(0, sequence.Count), sequence);
        Assert.NotNull(completed);
        Assert.Equal("Stream these four words", completed.GetOutputText());
        Assert.True(completed.Usage.OutputTokenCount > 0);
    }

    [Theory]
    [MemberData(nameof(BridgedModels))]
    public async Task A_tool_call_and_its_output_make_two_turns(string model)
    {
        var client = Client();
        var tool = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"}}}"""),
            false, "The weather at a place.");
        var first = (await client.CreateResponseAsync(new CreateResponseOptions(model, [ResponseItem.CreateUserMessageItem("Paris")]) { Tools = { tool } }, Ct)).Value;
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Paris", JsonNode.Parse(call.FunctionArguments.ToString())!["location"]!.GetValue<string>());

        var second = (await client.CreateResponseAsync(new CreateResponseOptions(model,
        [
            ResponseItem.CreateUserMessageItem("Paris"),
            call,
            ResponseItem.CreateFunctionCallOutputItem(call.CallId, "sunny, 21 C"),
        ]) { Tools = { tool } }, Ct)).Value;

        Assert.Equal("The tool said: sunny, 21 C", second.GetOutputText());
    }

    [Fact]
    public async Task To_an_OpenAI_provider_the_request_and_the_answer_pass_byte_for_byte_but_for_the_model()
    {
        var marker = Guid.NewGuid().ToString("N");
        var body = $$"""{"model": "oai/gpt-5-mini",  "input":[{"role":"user","content":"tides"}], "tools":[{"type":"web_search"}], "safety_identifier":"{{marker}}", "future":{"x":1} }""";
        using var http = gateway.Http();

        using var response = await http.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ResponsesMock.Json, await response.Content.ReadAsStringAsync(Ct));
        var received = gateway.Mock.Received.Last(r => r.Path == "/v1/responses" && r.Body["safety_identifier"]?.GetValue<string>() == marker);
        Assert.Equal(body.Replace("\"oai/gpt-5-mini\"", "\"gpt-5-mini\""), Encoding.UTF8.GetString(received.RawBody!));
    }

    [Fact]
    public async Task To_an_OpenAI_provider_the_event_stream_passes_byte_for_byte()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/responses", new StringContent(
            """{"model":"oai/gpt-5-mini","stream":true,"input":"tides"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Concat(ResponsesMock.Events), await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("""{"model":"claude/claude-sonnet-4-5","input":"x","tools":[{"type":"web_search"}]}""", "tools[0]")]
    [InlineData("""{"model":"google/gemini-2.5-flash","input":"x","tools":[{"type":"code_interpreter","container":{"type":"auto"}}]}""", "tools[0]")]
    [InlineData("""{"model":"claude/claude-sonnet-4-5","input":"x","previous_response_id":"resp_unknown"}""", "previous_response_id")]
    [InlineData("""{"model":"mock/gpt-4o-mini","input":[{"type":"item_reference","id":"msg_1"}]}""", "input[0]")]
    [InlineData("""{"model":"mock/gpt-4o-mini","input":"x","background":true}""", "background")]
    [InlineData("""{"model":"mock/gpt-4o-mini","input":"x","max_output_tokens":0}""", "max_output_tokens")]
    public async Task What_a_bridged_backend_cannot_do_is_refused_with_a_400_naming_it(string request, string param)
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/v1/responses", new StringContent(request, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal(param, error["param"]!.GetValue<string>());
        Assert.Equal("router", error["origin"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_provider_error_mid_stream_is_a_Responses_error_event_with_the_next_sequence_number()
    {
        var updates = new List<StreamingResponseUpdate>();
        await foreach (var update in await Client().CreateResponseStreamingAsync(
                           new CreateResponseOptions("claude/stream-error-mid", [ResponseItem.CreateUserMessageItem("hello")]) { StreamingEnabled = true }, Ct))
            updates.Add(update);

        var error = Assert.IsType<StreamingResponseErrorUpdate>(updates[^1]);
        Assert.Contains("Overloaded", error.Message);
        Assert.Equal(Enumerable.Range(0, updates.Count), updates.Select(u => u.SequenceNumber));
    }

    /// <remarks>A model of its own: a 429 cools down that model's circuit, which other tests must not meet.</remarks>
    [Fact]
    public async Task A_provider_error_before_the_stream_is_its_status()
    {
        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            Client().CreateResponseAsync(new CreateResponseOptions("mock/fail-429-responses", [ResponseItem.CreateUserMessageItem("hello")]), Ct));
        Assert.Equal(429, refused.Status);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_before_any_provider_is_asked()
    {
        var client = new ResponsesClient(new ApiKeyCredential("sk-not-a-router-key"), new ResponsesClientOptions
        {
            Endpoint = new Uri(gateway.Router.BaseUrl + "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
        var before = gateway.Mock.Received.Count;

        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            client.CreateResponseAsync(new CreateResponseOptions("mock/gpt-4o-mini", [ResponseItem.CreateUserMessageItem("hello")]), Ct));

        Assert.Equal(401, refused.Status);
        Assert.Equal(before, gateway.Mock.Received.Count);
    }

    [Theory]
    [MemberData(nameof(BridgedModels))]
    public async Task A_bridged_response_is_stored_and_previous_response_id_continues_it(string model)
    {
        var client = Client();
        var tool = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"}}}"""),
            false, "The weather at a place.");
        var first = (await client.CreateResponseAsync(new CreateResponseOptions(model, [ResponseItem.CreateUserMessageItem("Lyon")]) { Tools = { tool } }, Ct)).Value;
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));

        var second = (await client.CreateResponseAsync(new CreateResponseOptions(model, [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "rain")])
        {
            PreviousResponseId = first.Id,
            Tools = { tool },
        }, Ct)).Value;

        Assert.Equal("The tool said: rain", second.GetOutputText());
        Assert.Equal(first.Id, second.PreviousResponseId);
        var stored = (await client.GetResponseAsync(second.Id, Ct)).Value;
        Assert.Equal("The tool said: rain", stored.GetOutputText());
    }

    [Fact]
    public async Task A_stored_response_is_the_keys_own_and_is_gone_once_deleted()
    {
        var owner = await gateway.Router.GenerateKeyAsync(GatewayFixture.MasterKey, new { key_alias = "resp-owner-" + Guid.NewGuid().ToString("N")[..8] }, Ct);
        var other = await gateway.Router.GenerateKeyAsync(GatewayFixture.MasterKey, new { key_alias = "resp-other-" + Guid.NewGuid().ToString("N")[..8] }, Ct);
        var streamed = new List<StreamingResponseUpdate>();
        await foreach (var update in await Client(owner).CreateResponseStreamingAsync(
                           new CreateResponseOptions("claude/claude-sonnet-4-5", [ResponseItem.CreateUserMessageItem("keep this")]) { StreamingEnabled = true }, Ct))
            streamed.Add(update);
        var id = Assert.IsType<StreamingResponseCompletedUpdate>(streamed[^1]).Response.Id;

        Assert.Equal("keep this", (await Client(owner).GetResponseAsync(id, Ct)).Value.GetOutputText());
        var foreign = await Assert.ThrowsAsync<ClientResultException>(() => Client(other).GetResponseAsync(id, Ct));
        Assert.Equal(404, foreign.Status);
        var continued = await Assert.ThrowsAsync<ClientResultException>(() => Client(other).CreateResponseAsync(
            new CreateResponseOptions("claude/claude-sonnet-4-5", [ResponseItem.CreateUserMessageItem("more")]) { PreviousResponseId = id }, Ct));
        Assert.Equal(400, continued.Status);
        var deleteForeign = await Assert.ThrowsAsync<ClientResultException>(() => Client(other).DeleteResponseAsync(id, Ct));
        Assert.Equal(404, deleteForeign.Status);

        Assert.True((await Client(owner).DeleteResponseAsync(id, Ct)).Value.Deleted);
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => Client(owner).GetResponseAsync(id, Ct));
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task Store_false_keeps_nothing()
    {
        var response = (await Client().CreateResponseAsync(
            new CreateResponseOptions("google/gemini-2.5-flash", [ResponseItem.CreateUserMessageItem("forget this")]) { StoredOutputEnabled = false }, Ct)).Value;

        Assert.Equal("forget this", response.GetOutputText());
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => Client().GetResponseAsync(response.Id, Ct));
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task An_OpenAI_compatible_provider_that_declares_responses_native_gets_the_request_as_written()
    {
        using var http = gateway.Http();
        using var response = await http.PostAsync("/responses", new StringContent(
            """{"model":"responder/gpt-oss-120b","input":"tides"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ResponsesMock.Json, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("""{"model":"gpt-oss-120b","input":"tides"}""", Encoding.UTF8.GetString(gateway.Mock.Received.Last(r => r.Path == "/v1/responses").RawBody!));
    }

    [Fact]
    public async Task Image_input_and_a_json_schema_output_reach_a_bridged_provider_in_its_own_terms()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var http = gateway.Http();
        using var toClaude = await http.PostAsync("/v1/responses", new StringContent($$"""
            {"model":"claude/claude-sonnet-4-5","instructions":"{{marker}}","input":[{"role":"user","content":[
              {"type":"input_text","text":"What is this?"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}]}
            """, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, toClaude.StatusCode);
        var claude = gateway.Mock.Received.Last(r => r.Path == "/anthropic/v1/messages" && r.Body["system"]?.ToJsonString().Contains(marker) == true).Body;
        var image = claude["messages"]![0]!["content"]![1]!;
        Assert.Equal("image", image["type"]!.GetValue<string>());
        Assert.Equal("iVBORw0KGgo=", image["source"]!["data"]!.GetValue<string>());

        using var toGemini = await http.PostAsync("/v1/responses", new StringContent($$"""
            {"model":"google/gemini-2.5-flash","instructions":"{{marker}}","input":"Name a colour.",
             "text":{"format":{"type":"json_schema","name":"colour","schema":{"type":"object","properties":{"name":{"type":"string"} } } } } }
            """, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, toGemini.StatusCode);
        var gemini = gateway.Mock.Received.Last(r => r.Path.StartsWith("/gemini/", StringComparison.Ordinal)
                                                     && r.Body["systemInstruction"]?.ToJsonString().Contains(marker) == true).Body;
        Assert.Equal("application/json", gemini["generationConfig"]!["responseMimeType"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"object","properties":{"name":{"type":"string"}}}"""),
            gemini["generationConfig"]!["responseJsonSchema"]));
    }
}
