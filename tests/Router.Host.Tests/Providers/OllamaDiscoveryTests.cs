using System.Text.Json;
using Router.Host.Providers;

namespace Router.Host.Tests.Providers;

public sealed class OllamaDiscoveryTests
{
    [Theory]
    [InlineData("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/api/tags")]
    [InlineData("http://gpu-box:11434/v1/", "http://gpu-box:11434/api/tags")]
    [InlineData("http://gpu-box/ollama/v1", "http://gpu-box/ollama/api/tags")]
    [InlineData("http://gpu-box:11434", "http://gpu-box:11434/api/tags")]
    public void The_native_tags_endpoint_sits_beside_the_openai_one(string apiBase, string expected)
    {
        Assert.Equal(expected, OllamaDiscovery.TagsUri(new Uri(apiBase)).AbsoluteUri);
    }

    [Fact]
    public void Model_names_are_read_from_ollamas_tags_answer()
    {
        // From Ollama's API reference (GET /api/tags), trimmed to the fields that matter.
        using var tags = JsonDocument.Parse("""
            {"models":[
              {"name":"llama3.2:3b","model":"llama3.2:3b","modified_at":"2026-11-01T10:00:00Z","size":2019393189,
               "digest":"a80c4f17","details":{"format":"gguf","family":"llama","parameter_size":"3.2B","quantization_level":"Q4_K_M"}},
              {"name":"codellama:13b","model":"codellama:13b","size":7365960935},
              {"name":"llama3.2:3b"},
              {"model":"no-name-field"},
              {"name":""}
            ]}
            """);

        Assert.Equal(["codellama:13b", "llama3.2:3b"], OllamaDiscovery.ParseTags(JsonDocument.Parse(tags.RootElement.GetRawText())));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"models":null}""")]
    [InlineData("""{"models":{}}""")]
    [InlineData("[]")]
    public void An_answer_without_a_model_list_lists_nothing(string json)
    {
        Assert.Empty(OllamaDiscovery.ParseTags(JsonDocument.Parse(json)));
    }

    [Fact]
    public void Models_discovered_per_provider_are_listed_as_provider_slash_name()
    {
        var discovered = new DiscoveredModels();
        discovered.Set("ollama", ["llama3.2:3b"]);
        discovered.Set("gpu-box", ["qwen2.5:72b", "llama3.1:70b"]);
        discovered.Set("ollama", ["mistral:7b"]);

        Assert.Equal(
            [("gpu-box", "gpu-box/llama3.1:70b"), ("gpu-box", "gpu-box/qwen2.5:72b"), ("ollama", "ollama/mistral:7b")],
            discovered.All().Order());
    }
}
