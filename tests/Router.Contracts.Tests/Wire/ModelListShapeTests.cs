using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;

namespace Router.Contracts.Tests.Wire;

public sealed class ModelListShapeTests
{
    [Fact]
    public void A_model_list_is_an_OpenAI_list_of_model_cards()
    {
        var json = JsonSerializer.Serialize(
            new ModelList([new ModelCard("gpt-4o", 1700000000, "openai"), new ModelCard("fast", 0, "ollama")]),
            WireJsonContext.Wire.ModelList);

        var root = JsonNode.Parse(json)!.AsObject();
        Assert.Equal("list", (string?)root["object"]);
        var cards = root["data"]!.AsArray();
        Assert.Equal(2, cards.Count);
        var first = cards[0]!.AsObject();
        Assert.Equal("model", (string?)first["object"]);
        Assert.Equal("gpt-4o", (string?)first["id"]);
        Assert.Equal(1700000000, (long?)first["created"]);
        Assert.Equal("openai", (string?)first["owned_by"]);
        Assert.Equal(["created", "id", "object", "owned_by"], first.Select(p => p.Key).Order());
    }

    [Fact]
    public void An_empty_model_list_still_has_its_data_array()
    {
        var json = JsonSerializer.Serialize(new ModelList([]), WireJsonContext.Wire.ModelList);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"object":"list","data":[]}"""), JsonNode.Parse(json)), json);
    }
}
