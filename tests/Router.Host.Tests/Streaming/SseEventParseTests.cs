using System.Text;
using Router.Host.Streaming;

namespace Router.Host.Tests.Streaming;

public sealed class SseEventParseTests
{
    private static SseEvent Parse(string raw) => SseEvent.Parse(Encoding.UTF8.GetBytes(raw));

    [Fact]
    public void Only_one_space_after_the_colon_is_dropped()
    {
        Assert.Equal("  indented", Encoding.UTF8.GetString(Parse("data:   indented\n\n").Data.Span));
    }

    [Fact]
    public void Event_id_and_retry_lines_are_not_data()
    {
        var e = Parse("event: message\nid: 42\nretry: 1000\ndata: payload\n\n");

        Assert.True(e.HasData);
        Assert.Equal("payload", Encoding.UTF8.GetString(e.Data.Span));
    }

    [Fact]
    public void An_empty_data_line_is_data()
    {
        var e = Parse("data:\n\n");

        Assert.True(e.HasData);
        Assert.True(e.Data.IsEmpty);
    }

    [Fact]
    public void Raw_is_kept_as_given()
    {
        var bytes = Encoding.UTF8.GetBytes("event: x\r\ndata: y\r\n\r\n");

        Assert.Same(bytes, SseEvent.Parse(bytes).Raw);
    }
}
