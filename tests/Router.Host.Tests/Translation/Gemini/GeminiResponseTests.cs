using System.Text;
using Router.Contracts.Wire;
using static Router.Host.Tests.Translation.Gemini.GeminiTestKit;

namespace Router.Host.Tests.Translation.Gemini;

/// <summary><c>generateContent</c> answers as OpenAI <c>chat.completion</c> bodies, after the API reference's examples.</summary>
public sealed class GeminiResponseTests
{
    [Fact]
    public void A_text_answer_becomes_one_choice_with_usage_and_the_model_version()
    {
        var body = Translate("""
            {"candidates":[{"content":{"parts":[{"text":"AI learns patterns "},{"text":"from data."}],"role":"model"},
              "finishReason":"STOP","avgLogprobs":-0.12}],
             "usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":6,"totalTokenCount":14,
               "promptTokensDetails":[{"modality":"TEXT","tokenCount":8}]},
             "modelVersion":"gemini-2.5-flash-001","responseId":"abc"}
            """);

        AssertJson("""
            {"id":"chatcmpl-gem1","object":"chat.completion","created":1750000000,"model":"gemini-2.5-flash-001",
             "choices":[{"index":0,"message":{"role":"assistant","content":"AI learns patterns from data."},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":8,"completion_tokens":6,"total_tokens":14,
               "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}
            """, body);
    }

    [Fact]
    public void Without_a_model_version_the_requested_model_is_named_and_without_usage_metadata_there_is_no_usage()
    {
        var translated = Dialect.TranslateResponse(
            Encoding.UTF8.GetBytes("""{"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP","index":0}]}"""), Context());

        var body = System.Text.Json.Nodes.JsonNode.Parse(translated.Body)!;
        Assert.Equal("gemini-2.5-flash", (string?)body["model"]);
        Assert.Null(body["usage"]);
        Assert.Null(translated.Usage);
    }

    [Fact]
    public void Function_calls_become_tool_calls_with_gemini_ids_or_synthesized_ones()
    {
        var body = Translate("""
            {"candidates":[{"content":{"role":"model","parts":[
              {"functionCall":{"name":"get_weather","args":{"city":"Paris","units":{"c":true}}},"thoughtSignature":"c2ln"},
              {"functionCall":{"id":"fc-7","name":"get_time","args":{"zone":"Europe/Paris"}}},
              {"functionCall":{"name":"ping"}}]},
              "finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":15,"totalTokenCount":45}}
            """);

        AssertJson("""
            [{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
               {"id":"call_gem1_0_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"units\":{\"c\":true}}"}},
               {"id":"fc-7","type":"function","function":{"name":"get_time","arguments":"{\"zone\":\"Europe/Paris\"}"}},
               {"id":"call_gem1_0_2","type":"function","function":{"name":"ping","arguments":"{}"}}]},
              "logprobs":null,"finish_reason":"tool_calls"}]
            """, body["choices"]);
    }

    [Fact]
    public void Thought_parts_become_reasoning_and_thought_tokens_count_as_completion_and_reasoning()
    {
        var translated = Dialect.TranslateResponse(Encoding.UTF8.GetBytes("""
            {"candidates":[{"content":{"role":"model","parts":[
              {"text":"**Counting paws**\nTwo dogs, four paws each.","thought":true},
              {"text":"There are 8 paws."}]},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":5,"thoughtsTokenCount":40,"cachedContentTokenCount":12,"totalTokenCount":65}}
            """), Context());

        var body = System.Text.Json.Nodes.JsonNode.Parse(translated.Body)!;
        AssertJson("""
            {"role":"assistant","content":"There are 8 paws.","reasoning_content":"**Counting paws**\nTwo dogs, four paws each."}
            """, body["choices"]![0]!["message"]);
        Assert.Equal(new TokenUsage(20, 45, 12, 0, 40), translated.Usage);
        AssertJson("""
            {"prompt_tokens":20,"completion_tokens":45,"total_tokens":65,
             "prompt_tokens_details":{"cached_tokens":12},"completion_tokens_details":{"reasoning_tokens":40}}
            """, body["usage"]);
    }

    [Fact]
    public void Several_candidates_are_several_choices_in_index_order()
    {
        var body = Translate("""
            {"candidates":[
              {"content":{"role":"model","parts":[{"text":"B"}]},"finishReason":"MAX_TOKENS","index":1},
              {"content":{"role":"model","parts":[{"text":"A"}]},"finishReason":"STOP"}]}
            """);

        AssertJson("""
            [{"index":0,"message":{"role":"assistant","content":"A"},"logprobs":null,"finish_reason":"stop"},
             {"index":1,"message":{"role":"assistant","content":"B"},"logprobs":null,"finish_reason":"length"}]
            """, body["choices"]);
    }

    [Theory]
    [InlineData("STOP", "stop")]
    [InlineData("MAX_TOKENS", "length")]
    [InlineData("SAFETY", "content_filter")]
    [InlineData("RECITATION", "content_filter")]
    [InlineData("BLOCKLIST", "content_filter")]
    [InlineData("PROHIBITED_CONTENT", "content_filter")]
    [InlineData("SPII", "content_filter")]
    [InlineData("IMAGE_SAFETY", "content_filter")]
    [InlineData("IMAGE_PROHIBITED_CONTENT", "content_filter")]
    [InlineData("OTHER", "stop")]
    [InlineData("LANGUAGE", "stop")]
    [InlineData("MALFORMED_FUNCTION_CALL", "stop")]
    public void Each_finish_reason_group_has_its_openai_reason(string gemini, string openAi)
    {
        var body = Translate($$"""{"candidates":[{"content":{"role":"model","parts":[{"text":"x"}]},"finishReason":"{{gemini}}"}]}""");

        var choice = body["choices"]![0]!;
        Assert.Equal(openAi, (string?)choice["finish_reason"]);
        Assert.Equal(gemini is "STOP" or "MAX_TOKENS" ? null : gemini, (string?)choice["provider_finish_reason"]);
    }

    [Fact]
    public void A_safety_stop_keeps_the_reason_and_the_ratings_as_sent()
    {
        var body = Translate("""
            {"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[
              {"category":"HARM_CATEGORY_HARASSMENT","probability":"NEGLIGIBLE"},
              {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],
             "usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"modelVersion":"gemini-2.5-flash"}
            """);

        AssertJson("""
            [{"index":0,"message":{"role":"assistant","content":null},"logprobs":null,"finish_reason":"content_filter",
              "provider_finish_reason":"SAFETY",
              "safety_ratings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"NEGLIGIBLE"},
                                {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}]
            """, body["choices"]);
    }

    [Fact]
    public void Ratings_of_a_natural_stop_are_not_echoed()
    {
        var body = Translate("""
            {"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP",
              "safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"NEGLIGIBLE"}]}]}
            """);

        Assert.Null(body["choices"]![0]!["safety_ratings"]);
    }

    [Fact]
    public void A_blocked_prompt_is_one_filtered_choice_with_the_feedback_kept()
    {
        var translated = Dialect.TranslateResponse(Encoding.UTF8.GetBytes("""
            {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[
               {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]},
             "usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash-002"}
            """), Context());

        AssertJson("""
            {"id":"chatcmpl-gem1","object":"chat.completion","created":1750000000,"model":"gemini-2.5-flash-002",
             "choices":[{"index":0,"message":{"role":"assistant","content":null},"logprobs":null,"finish_reason":"content_filter",
               "provider_finish_reason":"SAFETY",
               "safety_ratings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],
             "usage":{"prompt_tokens":7,"completion_tokens":0,"total_tokens":7,
               "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},
             "prompt_feedback":{"blockReason":"SAFETY","safetyRatings":[
               {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}}
            """, System.Text.Json.Nodes.JsonNode.Parse(translated.Body));
        Assert.Equal(new TokenUsage(7, 0, 0), translated.Usage);
    }

    [Fact]
    public void Non_ascii_text_stays_readable()
    {
        var translated = Dialect.TranslateResponse(
            Encoding.UTF8.GetBytes("""{"candidates":[{"content":{"role":"model","parts":[{"text":"Grüße <b>"}]},"finishReason":"STOP"}]}"""), Context());

        Assert.Contains("\"content\":\"Grüße <b>\"", Encoding.UTF8.GetString(translated.Body));
    }
}
