using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Translation;
using Router.Host.Translation.Gemini;
using static Router.Host.Tests.Translation.Gemini.GeminiTestKit;

namespace Router.Host.Tests.Translation.Gemini;

/// <summary>OpenAI chat requests as Gemini <c>GenerateContentRequest</c> bodies, after the API reference's examples.</summary>
public sealed class GeminiRequestTests
{
    [Fact]
    public void A_chat_call_goes_to_generateContent_and_a_stream_to_streamGenerateContent_with_alt_sse()
    {
        const string request = """{"model":"g","messages":[{"role":"user","content":"Hi"}]}""";

        Assert.Equal("/models/gemini-2.5-flash:generateContent", Call(request).Path);
        Assert.Equal("/models/gemini-2.5-pro:streamGenerateContent?alt=sse", Call(request, streaming: true, model: "gemini-2.5-pro").Path);
        Assert.Empty(Call(request).Headers);
    }

    [Fact]
    public void A_model_name_from_the_client_cannot_leave_the_models_path()
    {
        const string request = """{"model":"g","messages":[{"role":"user","content":"Hi"}]}""";

        var path = Call(request, model: "../../files/x?key=1").Path;

        Assert.Equal("/models/..%2F..%2Ffiles%2Fx%3Fkey%3D1:generateContent", path);
        Assert.Equal("/v1beta/models/..%2F..%2Ffiles%2Fx%3Fkey%3D1:generateContent",
            new Uri("https://generativelanguage.googleapis.com/v1beta" + path).AbsolutePath);
    }

    [Fact]
    public void The_model_is_in_the_path_only_and_system_and_developer_messages_become_the_system_instruction()
    {
        var body = Body("""
            {"model":"router-name","stream":true,"messages":[
              {"role":"system","content":"You are a cat. Your name is Neko."},
              {"role":"developer","content":[{"type":"text","text":"Answer in one line."}]},
              {"role":"user","content":"Hello there"}]}
            """);

        AssertJson("""
            {"systemInstruction":{"parts":[{"text":"You are a cat. Your name is Neko."},{"text":"Answer in one line."}]},
             "contents":[{"role":"user","parts":[{"text":"Hello there"}]}]}
            """, body);
    }

    [Fact]
    public void A_multi_turn_chat_alternates_user_and_model_turns()
    {
        var body = Body("""
            {"model":"g","messages":[
              {"role":"user","content":"Hello"},
              {"role":"assistant","content":"Great to meet you. What would you like to know?"},
              {"role":"user","content":"I have two dogs in my house. How many paws are in my house?"}]}
            """);

        AssertJson("""
            {"contents":[
              {"role":"user","parts":[{"text":"Hello"}]},
              {"role":"model","parts":[{"text":"Great to meet you. What would you like to know?"}]},
              {"role":"user","parts":[{"text":"I have two dogs in my house. How many paws are in my house?"}]}]}
            """, body);
    }

    [Fact]
    public void Images_go_inline_from_a_data_url_and_as_file_data_from_any_other_url()
    {
        var body = Body("""
            {"model":"g","messages":[{"role":"user","content":[
              {"type":"text","text":"Compare these"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
              {"type":"image_url","image_url":{"url":"https://example.com/photos/cat.webp?size=large"}}]}]}
            """);

        AssertJson("""
            {"contents":[{"role":"user","parts":[
              {"text":"Compare these"},
              {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
              {"fileData":{"mimeType":"image/webp","fileUri":"https://example.com/photos/cat.webp?size=large"}}]}]}
            """, body);
    }

    [Theory]
    [InlineData("https://x.test/a.PNG", "image/png")]
    [InlineData("https://x.test/a.jpg", "image/jpeg")]
    [InlineData("https://x.test/a.jpeg#frag", "image/jpeg")]
    [InlineData("https://x.test/a.gif", "image/gif")]
    [InlineData("https://x.test/a.heic", "image/heic")]
    [InlineData("https://x.test/image", "image/jpeg")]
    [InlineData("https://x.test.png/image", "image/jpeg")]
    public void A_url_image_type_is_guessed_from_its_extension(string url, string mimeType) =>
        Assert.Equal(mimeType, GeminiRequestWriter.ImageMimeType(url));

    private const string WeatherTools = """
        "tools":[
          {"type":"function","function":{"name":"get_weather","description":"Current weather in a city",
            "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}},
          {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}]
        """;

    [Fact]
    public void Tools_become_function_declarations_with_their_json_schema_unchanged()
    {
        var body = Body($$"""{"model":"g","messages":[{"role":"user","content":"Weather in Paris?"}],{{WeatherTools}}}""");

        AssertJson("""
            [{"functionDeclarations":[
              {"name":"get_weather","description":"Current weather in a city",
               "parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}},
              {"name":"get_time","parametersJsonSchema":{"type":"object","properties":{"zone":{"type":"string"}}}}]}]
            """, body["tools"]);
        Assert.Null(body["toolConfig"]);
    }

    [Theory]
    [InlineData("\"auto\"", """{"mode":"AUTO"}""")]
    [InlineData("\"none\"", """{"mode":"NONE"}""")]
    [InlineData("\"required\"", """{"mode":"ANY"}""")]
    [InlineData("""{"type":"function","function":{"name":"get_time"}}""", """{"mode":"ANY","allowedFunctionNames":["get_time"]}""")]
    public void Each_tool_choice_becomes_a_function_calling_config(string toolChoice, string config)
    {
        var body = Body($$"""{"model":"g","messages":[{"role":"user","content":"Hi"}],{{WeatherTools}},"tool_choice":{{toolChoice}}}""");

        AssertJson($$"""{"functionCallingConfig":{{config}}}""", body["toolConfig"]);
    }

    [Fact]
    public void Parallel_calls_are_one_model_turn_and_their_results_one_user_turn_matched_by_name()
    {
        var body = Body("""
            {"model":"g","messages":[
              {"role":"user","content":"Weather and time in Paris?"},
              {"role":"assistant","content":null,"tool_calls":[
                {"id":"call_0_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"call_0_1","type":"function","function":{"name":"get_time","arguments":"{\"zone\":\"Europe/Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_0_1","content":"{\"time\":\"14:05\"}"},
              {"role":"tool","tool_call_id":"call_0_0","content":"Sunny, 21 C"}]}
            """);

        AssertJson("""
            {"contents":[
              {"role":"user","parts":[{"text":"Weather and time in Paris?"}]},
              {"role":"model","parts":[
                {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"skip_thought_signature_validator"},
                {"functionCall":{"name":"get_time","args":{"zone":"Europe/Paris"}}}]},
              {"role":"user","parts":[
                {"functionResponse":{"name":"get_time","response":{"time":"14:05"}}},
                {"functionResponse":{"name":"get_weather","response":{"content":"Sunny, 21 C"}}}]}]}
            """, body);
    }

    [Fact]
    public void An_assistant_turn_keeps_its_text_before_its_calls_and_a_later_user_message_joins_the_results_turn()
    {
        var body = Body("""
            {"model":"g","messages":[
              {"role":"user","content":"Look it up"},
              {"role":"assistant","content":"Let me check.","tool_calls":[{"id":"a","type":"function","function":{"name":"lookup","arguments":""}}]},
              {"role":"tool","tool_call_id":"a","content":"[1,2]"},
              {"role":"user","content":"Thanks"}]}
            """);

        AssertJson("""
            {"contents":[
              {"role":"user","parts":[{"text":"Look it up"}]},
              {"role":"model","parts":[{"text":"Let me check."},{"functionCall":{"name":"lookup","args":{}},"thoughtSignature":"skip_thought_signature_validator"}]},
              {"role":"user","parts":[{"functionResponse":{"name":"lookup","response":{"content":"[1,2]"}}},{"text":"Thanks"}]}]}
            """, body);
    }

    [Fact]
    public void A_tool_result_for_an_unknown_call_is_refused_with_the_field_named()
    {
        var error = Assert.Throws<RouterError>(() => Call("""
            {"model":"g","messages":[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"nope","content":"r"}]}
            """));

        Assert.Equal(400, error.Status);
        Assert.Equal("messages[1].tool_call_id", error.Body.Param);
    }

    [Fact]
    public void Sampling_fields_become_the_generation_config()
    {
        var body = Body("""
            {"model":"g","messages":[{"role":"user","content":"Hi"}],
             "temperature":0.7,"top_p":0.9,"max_tokens":800,"stop":["END","\n\n"],"n":2,
             "presence_penalty":0.5,"frequency_penalty":-0.25,"seed":42,"top_k":40}
            """);

        AssertJson("""
            {"temperature":0.7,"topP":0.9,"topK":40,"maxOutputTokens":800,"stopSequences":["END","\n\n"],"candidateCount":2,
             "presencePenalty":0.5,"frequencyPenalty":-0.25,"seed":42}
            """, body["generationConfig"]);
        Assert.Equal(["contents", "generationConfig"], body.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Max_completion_tokens_wins_over_max_tokens_and_a_single_stop_string_is_a_list()
    {
        var body = Body("""{"model":"g","messages":[{"role":"user","content":"Hi"}],"max_tokens":10,"max_completion_tokens":20,"stop":"STOP"}""");

        AssertJson("""{"maxOutputTokens":20,"stopSequences":["STOP"]}""", body["generationConfig"]);
    }

    [Fact]
    public void Without_sampling_fields_there_is_no_generation_config() =>
        Assert.Null(Body("""{"model":"g","messages":[{"role":"user","content":"Hi"}]}""")["generationConfig"]);

    [Theory]
    [InlineData("""{"type":"json_object"}""", """{"responseMimeType":"application/json"}""")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"recipe","strict":true,"schema":{"type":"object","properties":{"recipeName":{"type":"string"}},"required":["recipeName"]}}}""",
        """{"responseMimeType":"application/json","responseJsonSchema":{"type":"object","properties":{"recipeName":{"type":"string"}},"required":["recipeName"]}}""")]
    public void A_response_format_asks_for_json_output(string format, string config)
    {
        var body = Body($$"""{"model":"g","messages":[{"role":"user","content":"List a recipe"}],"response_format":{{format}}}""");

        AssertJson(config, body["generationConfig"]);
    }

    [Fact]
    public void A_text_response_format_asks_for_nothing() =>
        Assert.Null(Body("""{"model":"g","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"text"}}""")["generationConfig"]);

    [Fact]
    public void A_json_schema_format_without_a_schema_is_refused()
    {
        var error = Assert.Throws<RouterError>(() =>
            Call("""{"model":"g","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x"}}}"""));

        Assert.Equal(400, error.Status);
        Assert.Equal("response_format.json_schema.schema", error.Body.Param);
    }

    [Theory]
    [InlineData("/completions")]
    [InlineData("/embeddings")]
    public void Endpoints_other_than_chat_are_refused_as_unsupported(string path)
    {
        var operation = path == "/completions" ? ProxyOperation.Completions : ProxyOperation.Embeddings;

        var error = Assert.Throws<RouterError>(() => Dialect.BuildCall(
            operation, Request("""{"model":"g","prompt":"x","input":"x"}"""), new CallContext("gemini-2.5-flash", false, new HeaderDictionary())));

        Assert.Equal(400, error.Status);
        Assert.Equal("unsupported_endpoint", error.Body.Code);
        Assert.Equal(
            $"Provider 'google' speaks Gemini's generateContent API; the router does not translate {path} for it. Route this model to a provider that offers it.",
            error.Body.Message);
    }

    [Fact]
    public void The_key_goes_in_x_goog_api_key_and_nowhere_else()
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "https://generativelanguage.googleapis.com/v1beta/models/g:generateContent");
        message.Headers.TryAddWithoutValidation("x-goog-api-key", "stale");

        Dialect.Authenticate(message, "AIza-secret");

        Assert.Equal(["AIza-secret"], message.Headers.GetValues("x-goog-api-key"));
        Assert.Null(message.Headers.Authorization);
        Assert.DoesNotContain("AIza", message.RequestUri!.ToString());
    }
}
