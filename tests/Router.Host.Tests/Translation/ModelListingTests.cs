using System.Text.Json;
using Router.Host.Providers;
using Router.Host.Translation;
using Router.Host.Translation.Anthropic;
using Router.Host.Translation.Gemini;
using Router.Host.Translation.Ollama;
using Router.Host.Translation.OpenAi;

namespace Router.Host.Tests.Translation;

/// <summary>
/// Each provider format's model list as its public reference documents it (examples trimmed to the fields that
/// matter): where each page is asked for, which names are read, and where the next page starts.
/// </summary>
public sealed class ModelListingTests
{
    private static ModelListPage Read(IModelListing listing, string json)
    {
        using var document = JsonDocument.Parse(json);
        return listing.ReadPage(document.RootElement);
    }

    [Fact]
    public void OpenAi_and_openai_compatible_servers_list_ids_under_data_in_one_page()
    {
        // OpenAI's GET /v1/models, and OpenRouter's GET /api/v1/models, whose ids hold the vendor.
        var page = Read(OpenAiModelListing.Instance, """
            {"object":"list","data":[
              {"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"},
              {"id":"meta-llama/llama-3.3-70b-instruct","name":"Meta: Llama 3.3 70B Instruct","context_length":131072,
               "pricing":{"prompt":"0.00000013","completion":"0.0000004"}},
              {"object":"model"}
            ]}
            """);

        Assert.Equal(["gpt-4o-mini", "meta-llama/llama-3.3-70b-instruct"], page.Models);
        Assert.Null(page.NextCursor);
        Assert.Equal("https://openrouter.ai/api/v1/models",
            OpenAiModelListing.Instance.PageRequest(new Uri("https://openrouter.ai/api/v1"), null).Uri.AbsoluteUri);
    }

    [Fact]
    public void Anthropic_pages_with_after_id_while_has_more_says_so()
    {
        var apiBase = new Uri("https://api.anthropic.com/v1");
        var first = Read(AnthropicModelListing.Instance, """
            {"data":[
              {"type":"model","id":"claude-sonnet-4-20250514","display_name":"Claude Sonnet 4","created_at":"2025-05-22T00:00:00Z"},
              {"type":"model","id":"claude-3-5-haiku-20241022","display_name":"Claude Haiku 3.5","created_at":"2024-10-22T00:00:00Z"}
            ],"has_more":true,"first_id":"claude-sonnet-4-20250514","last_id":"claude-3-5-haiku-20241022"}
            """);
        var last = Read(AnthropicModelListing.Instance, """
            {"data":[{"type":"model","id":"claude-3-haiku-20240307"}],"has_more":false,"first_id":"claude-3-haiku-20240307","last_id":"claude-3-haiku-20240307"}
            """);

        Assert.Equal(["claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"], first.Models);
        Assert.Equal("claude-3-5-haiku-20241022", first.NextCursor);
        Assert.Null(last.NextCursor);
        var request = AnthropicModelListing.Instance.PageRequest(apiBase, first.NextCursor);
        Assert.Equal("https://api.anthropic.com/v1/models?limit=1000&after_id=claude-3-5-haiku-20241022", request.Uri.AbsoluteUri);
        Assert.Contains(new KeyValuePair<string, string>("anthropic-version", "2023-06-01"), request.Headers);
        Assert.Equal("https://api.anthropic.com/v1/models?limit=1000", AnthropicModelListing.Instance.PageRequest(apiBase, null).Uri.AbsoluteUri);
    }

    [Fact]
    public void Gemini_pages_with_its_token_strips_models_slash_and_keeps_what_can_chat()
    {
        var page = Read(GeminiModelListing.Instance, """
            {"models":[
              {"name":"models/gemini-2.5-pro","version":"2.5","displayName":"Gemini 2.5 Pro","inputTokenLimit":1048576,
               "outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens","createCachedContent"]},
              {"name":"models/text-embedding-004","supportedGenerationMethods":["embedContent"]},
              {"name":"models/gemini-2.5-flash"}
            ],"nextPageToken":"Ch9tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA=="}
            """);

        Assert.Equal(["gemini-2.5-pro", "gemini-2.5-flash"], page.Models);
        Assert.Equal("Ch9tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA==", page.NextCursor);
        var next = GeminiModelListing.Instance.PageRequest(new Uri("https://generativelanguage.googleapis.com/v1beta"), page.NextCursor);
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000&pageToken=Ch9tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA%3D%3D",
            next.Uri.AbsoluteUri);
        Assert.Null(Read(GeminiModelListing.Instance, """{"models":[]}""").NextCursor);
    }

    [Fact]
    public void Ollama_lists_tag_names_in_one_page()
    {
        // Ollama's API reference, GET /api/tags.
        var page = Read(OllamaTagsListing.Instance, """
            {"models":[
              {"name":"llama3.2:3b","model":"llama3.2:3b","modified_at":"2026-11-01T10:00:00Z","size":2019393189,
               "digest":"a80c4f17","details":{"format":"gguf","family":"llama","parameter_size":"3.2B","quantization_level":"Q4_K_M"}},
              {"name":"codellama:13b","model":"codellama:13b","size":7365960935},
              {"model":"no-name-field"},
              {"name":""}
            ]}
            """);

        Assert.Equal(["llama3.2:3b", "codellama:13b"], page.Models);
        Assert.Null(page.NextCursor);
    }

    [Theory]
    [InlineData("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/api/tags")]
    [InlineData("http://gpu-box:11434/v1/", "http://gpu-box:11434/api/tags")]
    [InlineData("http://gpu-box/ollama/v1", "http://gpu-box/ollama/api/tags")]
    [InlineData("http://gpu-box:11434", "http://gpu-box:11434/api/tags")]
    public void Ollamas_tags_sit_beside_its_openai_api(string apiBase, string expected)
    {
        Assert.Equal(expected, OllamaTagsListing.Instance.PageRequest(new Uri(apiBase), null).Uri.AbsoluteUri);
    }

    public static TheoryData<string, string> NotAList => new()
    {
        { "openai", "{}" }, { "openai", """{"data":null}""" }, { "openai", "[]" },
        { "anthropic", """{"data":{}}""" }, { "gemini", """{"error":{"code":400}}""" }, { "ollama", """{"models":{}}""" },
    };

    [Theory]
    [MemberData(nameof(NotAList))]
    public void An_answer_that_is_not_a_model_list_is_a_failure_not_an_empty_list(string format, string json)
    {
        IModelListing listing = format switch
        {
            "openai" => OpenAiModelListing.Instance,
            "anthropic" => AnthropicModelListing.Instance,
            "gemini" => GeminiModelListing.Instance,
            _ => OllamaTagsListing.Instance,
        };

        Assert.Throws<JsonException>(() => Read(listing, json));
    }

    [Fact]
    public void Every_registered_provider_type_can_list_its_models()
    {
        Assert.All(ProviderRegistry.All, definition => Assert.NotNull(definition.CreateModelListing));
    }
}
