using System.Text;
using Router.Host.Translation;

namespace Router.Host.Tests.Translation;

public sealed class ModelFieldTests
{
    private static string? Splice(string body, string model) =>
        ModelField.Splice(Encoding.UTF8.GetBytes(body), model) is { } spliced ? Encoding.UTF8.GetString(spliced) : null;

    [Fact]
    public void Only_the_top_level_models_value_changes_and_every_other_byte_stays()
    {
        const string body = "{ \"stream\" :true,\n  \"model\"  :  \"claude/opus\", \"metadata\": {\"model\": \"inner\"},\"max_tokens\":5 }";
        Assert.Equal("{ \"stream\" :true,\n  \"model\"  :  \"claude-opus-4-1\", \"metadata\": {\"model\": \"inner\"},\"max_tokens\":5 }",
            Splice(body, "claude-opus-4-1"));
    }

    [Fact]
    public void A_model_name_is_written_as_a_JSON_string()
    {
        Assert.Equal("{\"model\":\"a\\\"b\"}", Splice("{\"model\":\"x\"}", "a\"b"));
    }

    [Theory]
    [InlineData("{\"model\":\"a\",\"model\":\"b\"}")]
    [InlineData("{\"model\":7}")]
    [InlineData("{\"messages\":[]}")]
    [InlineData("[1]")]
    public void A_body_without_one_string_model_is_not_spliced(string body) => Assert.Null(Splice(body, "m"));
}
