using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Router.Contracts.Wire;
using Router.Host.Http;
using Router.Host.Translation.Anthropic;
using static Router.Host.Tests.Translation.Anthropic.AnthropicTestKit;

namespace Router.Host.Tests.Translation.Anthropic;

/// <summary>OpenAI chat requests and the Messages API bodies they must become (shapes from Anthropic's API reference).</summary>
public sealed class AnthropicRequestTests
{
    [Fact]
    public void A_plain_conversation_becomes_a_messages_call_with_the_default_max_tokens()
    {
        var call = Build("""{"model":"claude","messages":[{"role":"user","content":"Hello, Claude"}]}""",
            settings: Settings(defaultMaxTokens: 1234));

        Assert.Equal("/messages", call.Path);
        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":1234,
             "messages":[{"role":"user","content":[{"type":"text","text":"Hello, Claude"}]}]}
            """, call.Body);
    }

    [Fact]
    public void System_and_developer_messages_anywhere_become_the_top_level_system_blocks()
    {
        var call = Build("""
            {"model":"claude","messages":[
              {"role":"system","content":"You are a seasoned data scientist."},
              {"role":"user","content":"Hi"},
              {"role":"developer","content":[{"type":"text","text":"Answer in French."}]}
            ]}
            """);

        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":4096,
             "system":[{"type":"text","text":"You are a seasoned data scientist."},{"type":"text","text":"Answer in French."}],
             "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}
            """, call.Body);
    }

    [Fact]
    public void One_system_message_is_sent_as_a_string()
    {
        var call = Build("""{"model":"claude","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}""");

        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":4096,"system":"Be brief.",
             "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}
            """, call.Body);
    }

    [Fact]
    public void A_multi_turn_conversation_keeps_its_turns_and_merges_neighbours_of_one_role()
    {
        var call = Build("""
            {"model":"claude","messages":[
              {"role":"user","content":"Hello there."},
              {"role":"assistant","content":"Hi, I'm Claude. How can I help you?"},
              {"role":"user","content":"Can you explain LLMs in plain English?"},
              {"role":"user","content":"Briefly."}
            ]}
            """);

        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[
              {"role":"user","content":[{"type":"text","text":"Hello there."}]},
              {"role":"assistant","content":[{"type":"text","text":"Hi, I'm Claude. How can I help you?"}]},
              {"role":"user","content":[{"type":"text","text":"Can you explain LLMs in plain English?"},{"type":"text","text":"Briefly."}]}
            ]}
            """, call.Body);
    }

    [Fact]
    public void Images_become_base64_and_url_sources()
    {
        var call = Build("""
            {"model":"claude","messages":[{"role":"user","content":[
              {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQSkZJRg=="}},
              {"type":"image_url","image_url":{"url":"https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg"}},
              {"type":"text","text":"What is in the above images?"}
            ]}]}
            """);

        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":[
              {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQSkZJRg=="}},
              {"type":"image","source":{"type":"url","url":"https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg"}},
              {"type":"text","text":"What is in the above images?"}
            ]}]}
            """, call.Body);
    }

    private const string WeatherTool = """
        {"type":"function","function":{"name":"get_weather","description":"Get the current weather in a given location",
         "parameters":{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"}},"required":["location"]}}}
        """;

    private const string AnthropicWeatherTool = """
        {"name":"get_weather","description":"Get the current weather in a given location",
         "input_schema":{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"}},"required":["location"]}}
        """;

    [Fact]
    public void Tools_become_input_schemas_and_a_tool_without_parameters_gets_an_empty_object_schema()
    {
        var call = Build($$$$"""
            {"model":"claude","messages":[{"role":"user","content":"What's the weather like in San Francisco?"}],
             "tools":[{{{{WeatherTool}}}},{"type":"function","function":{"name":"get_time"}}]}
            """);

        AssertJson($$$$"""
            {"model":"claude-sonnet-4-5","max_tokens":4096,
             "messages":[{"role":"user","content":[{"type":"text","text":"What's the weather like in San Francisco?"}]}],
             "tools":[{{{{AnthropicWeatherTool}}}},{"name":"get_time","input_schema":{"type":"object","properties":{}}}]}
            """, call.Body);
    }

    [Theory]
    [InlineData("\"auto\"", "true", """{"type":"auto"}""")]
    [InlineData("\"required\"", "true", """{"type":"any"}""")]
    [InlineData("\"none\"", "true", """{"type":"none"}""")]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", "true", """{"type":"tool","name":"get_weather"}""")]
    [InlineData("\"auto\"", "false", """{"type":"auto","disable_parallel_tool_use":true}""")]
    [InlineData("\"required\"", "false", """{"type":"any","disable_parallel_tool_use":true}""")]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", "false", """{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}""")]
    public void Tool_choice_maps_to_anthropics_tool_choice(string openAi, string parallel, string anthropic)
    {
        var call = Build($$$$"""
            {"model":"claude","messages":[{"role":"user","content":"Weather?"}],
             "tools":[{{{{WeatherTool}}}}],"tool_choice":{{{{openAi}}}},"parallel_tool_calls":{{{{parallel}}}}}
            """);

        AssertJson(anthropic, Body(call)["tool_choice"]!.ToJsonString());
    }

    [Fact]
    public void Without_tool_choice_only_disabling_parallel_calls_sends_one()
    {
        var plain = Body(Build($$$$"""{"model":"claude","messages":[{"role":"user","content":"x"}],"tools":[{{{{WeatherTool}}}}]}"""));
        var serial = Body(Build($$$$"""{"model":"claude","messages":[{"role":"user","content":"x"}],"tools":[{{{{WeatherTool}}}}],"parallel_tool_calls":false}"""));

        Assert.False(plain.ContainsKey("tool_choice"));
        AssertJson("""{"type":"auto","disable_parallel_tool_use":true}""", serial["tool_choice"]!.ToJsonString());
    }

    [Fact]
    public void Parallel_tool_calls_become_tool_use_blocks_and_their_results_one_user_turn()
    {
        var call = Build($$$$"""
            {"model":"claude","tools":[{{{{WeatherTool}}}}],"messages":[
              {"role":"user","content":"Weather in Paris and London?"},
              {"role":"assistant","content":"Let me check both.","tool_calls":[
                {"id":"toolu_01A","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}},
                {"id":"toolu_01B","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"London\"}"}}]},
              {"role":"tool","tool_call_id":"toolu_01A","content":"15 degrees"},
              {"role":"tool","tool_call_id":"toolu_01B","content":[{"type":"text","text":"12 degrees"}]},
              {"role":"user","content":"Which is warmer?"}
            ]}
            """);

        AssertJson("""
            [
              {"role":"user","content":[{"type":"text","text":"Weather in Paris and London?"}]},
              {"role":"assistant","content":[
                {"type":"text","text":"Let me check both."},
                {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"location":"Paris"}},
                {"type":"tool_use","id":"toolu_01B","name":"get_weather","input":{"location":"London"}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"toolu_01A","content":"15 degrees"},
                {"type":"tool_result","tool_use_id":"toolu_01B","content":"12 degrees"},
                {"type":"text","text":"Which is warmer?"}]}
            ]
            """, Body(call)["messages"]!.ToJsonString());
    }

    [Fact]
    public void An_assistant_turn_of_only_tool_calls_has_no_text_block()
    {
        var call = Build("""
            {"model":"claude","messages":[
              {"role":"user","content":"Weather?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":""}}]},
              {"role":"tool","tool_call_id":"toolu_1","content":"sunny"}
            ]}
            """);

        AssertJson("""
            [
              {"role":"user","content":[{"type":"text","text":"Weather?"}]},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}
            ]
            """, Body(call)["messages"]!.ToJsonString());
    }

    [Fact]
    public void Tool_call_arguments_that_are_not_a_json_object_are_refused()
    {
        var error = Assert.Throws<RouterError>(() => Build("""
            {"model":"claude","messages":[
              {"role":"assistant","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"f","arguments":"[1,2]"}}]}]}
            """));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void Sampling_fields_stop_user_and_stream_are_mapped()
    {
        var call = Build("""
            {"model":"claude","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":256,"max_tokens":99,
             "temperature":0.5,"top_p":0.9,"stop":["\n\nHuman:","END"],"user":"user-42","stream":true}
            """, streaming: true);

        AssertJson("""
            {"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],
             "stop_sequences":["\n\nHuman:","END"],"temperature":0.5,"top_p":0.9,"metadata":{"user_id":"user-42"},"stream":true}
            """, call.Body);
    }

    [Fact]
    public void A_single_stop_string_becomes_one_stop_sequence()
    {
        Assert.Equal("""["###"]""", Body(Build("""{"model":"claude","messages":[{"role":"user","content":"Hi"}],"stop":"###"}"""))["stop_sequences"]!.ToJsonString());
    }

    [Fact]
    public void More_than_one_choice_is_refused()
    {
        var error = Assert.Throws<RouterError>(() => Build("""{"model":"claude","messages":[{"role":"user","content":"Hi"}],"n":2}"""));

        Assert.Equal(400, error.Status);
        Assert.Equal("n", error.Body.Param);
    }

    [Fact]
    public void One_choice_is_fine()
    {
        Assert.Equal("/messages", Build("""{"model":"claude","messages":[{"role":"user","content":"Hi"}],"n":1}""").Path);
    }

    [Theory]
    [InlineData("completions")]
    [InlineData("embeddings")]
    public void Endpoints_other_than_chat_are_refused(string endpoint)
    {
        var operation = endpoint == "completions" ? ProxyOperation.Completions : ProxyOperation.Embeddings;
        var error = Assert.Throws<RouterError>(() =>
            new AnthropicDialect(Settings()).BuildCall(operation, Request("""{"model":"claude","input":"x","prompt":"x"}"""), Call()));

        Assert.Equal(400, error.Status);
        Assert.Equal("unsupported_endpoint", error.Body.Code);
        Assert.Equal(
            $"Provider 'claude' speaks Anthropic's Messages API, which has no {endpoint} endpoint; route this model to a provider that offers it.",
            error.Body.Message);
    }

    [Fact]
    public void The_api_version_is_sent_when_nobody_chose_one()
    {
        var call = Build("""{"model":"claude","messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal([new KeyValuePair<string, string>("anthropic-version", "2023-06-01")], call.Headers);
    }

    [Fact]
    public void The_clients_version_and_beta_headers_pass_through()
    {
        var headers = new HeaderDictionary
        {
            ["Anthropic-Version"] = "2024-01-01",
            ["anthropic-beta"] = "prompt-caching-2024-07-31,token-efficient-tools-2025-02-19",
            ["x-api-key"] = "client-key-must-not-pass",
        };
        var call = Build("""{"model":"claude","messages":[{"role":"user","content":"Hi"}]}""", headers: headers);

        Assert.Equal(
            [
                new KeyValuePair<string, string>("anthropic-version", "2024-01-01"),
                new KeyValuePair<string, string>("anthropic-beta", "prompt-caching-2024-07-31,token-efficient-tools-2025-02-19"),
            ],
            call.Headers);
    }

    [Fact]
    public void A_configured_version_is_left_to_the_provider_settings()
    {
        var settings = Settings(new Dictionary<string, string> { ["Anthropic-Version"] = "2023-01-01" });
        var call = Build("""{"model":"claude","messages":[{"role":"user","content":"Hi"}]}""", settings: settings);

        Assert.DoesNotContain(call.Headers, h => h.Key.Equals("anthropic-version", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_key_goes_in_x_api_key_and_no_bearer_token_is_sent()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "stale");

        new AnthropicDialect(Settings()).Authenticate(request, "sk-ant-123");

        Assert.Null(request.Headers.Authorization);
        Assert.Equal(["sk-ant-123"], request.Headers.GetValues("x-api-key"));
    }

    private static System.Text.Json.Nodes.JsonObject Body(Router.Host.Translation.UpstreamCall call) =>
        System.Text.Json.Nodes.JsonNode.Parse(call.Body)!.AsObject();
}
