using System.Text;
using Router.Host.Translation;

namespace Router.Host.Tests.Translation;

/// <summary>The writer each thread keeps: a write inside a write, an event's framing, a long document then a short one.</summary>
public sealed class TranslationJsonTests
{
    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void A_write_inside_a_write_gets_a_writer_of_its_own()
    {
        string? inner = null;
        var outer = TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            inner = Text(TranslationJson.Write(nested => nested.WriteStringValue("inner")));
            json.WriteString("outer", "é <b>");
            json.WriteEndObject();
        });
        Assert.Equal("\"inner\"", inner);
        Assert.Equal("""{"outer":"é <b>"}""", Text(outer));
    }

    [Fact]
    public void An_event_is_framed_and_the_next_document_is_not()
    {
        Assert.Equal("data: {\"a\":1}\n\n", Text(TranslationJson.WriteEvent(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("a", 1);
            json.WriteEndObject();
        })));
        Assert.Equal("[]", Text(TranslationJson.Write(json =>
        {
            json.WriteStartArray();
            json.WriteEndArray();
        })));
    }

    [Fact]
    public void A_long_document_then_a_short_one_are_each_written_whole()
    {
        var text = new string('x', 200_000);
        Assert.Equal($"\"{text}\"", Text(TranslationJson.Write(json => json.WriteStringValue(text))));
        Assert.Equal("true", Text(TranslationJson.Write(json => json.WriteBooleanValue(true))));
    }

    [Fact]
    public void A_write_that_fails_leaves_the_next_one_whole()
    {
        Assert.ThrowsAny<InvalidOperationException>(() => TranslationJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteEndArray();
        }));
        Assert.Equal("1", Text(TranslationJson.Write(json => json.WriteNumberValue(1))));
    }
}
