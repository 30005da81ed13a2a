using System.Text;
using Router.Host.Streaming;

namespace Router.Host.Tests.Streaming;

public sealed class SseEventReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<SseEvent>> ReadAll(string wire, int seed = 7)
    {
        await using var reader = new SseEventReader(new TrickleStream(Encoding.UTF8.GetBytes(wire), seed));
        var events = new List<SseEvent>();
        while (await reader.ReadAsync(Ct) is { } e) events.Add(e);
        return events;
    }

    private static string DataOf(SseEvent e) => Encoding.UTF8.GetString(e.Data.Span);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Events_split_across_any_read_boundaries_are_reassembled(int seed)
    {
        const string wire = "data: {\"a\":1}\n\ndata: {\"b\":\"two words\"}\n\ndata: [DONE]\n\n";
        var body = new TrickleStream(Encoding.UTF8.GetBytes(wire), seed);
        var events = new List<SseEvent>();

        await using (var reader = new SseEventReader(body))
            while (await reader.ReadAsync(Ct) is { } e) events.Add(e);

        Assert.Equal(["{\"a\":1}", "{\"b\":\"two words\"}", "[DONE]"], events.Select(DataOf));
        Assert.True(body.Reads >= wire.Length / 3, "the stream must have been read a few bytes at a time");
    }

    [Fact]
    public async Task Raw_bytes_of_all_events_are_exactly_what_was_sent()
    {
        const string wire = ": hello\r\n\r\nevent: x\ndata: 1\n\ndata: 2\r\n\r\n";

        var events = await ReadAll(wire);

        Assert.Equal(wire, string.Concat(events.Select(e => Encoding.UTF8.GetString(e.Raw))));
        Assert.Equal("event: x\ndata: 1\n\n", Encoding.UTF8.GetString(events[1].Raw));
    }

    [Fact]
    public async Task CRLF_line_endings_end_lines_and_events()
    {
        var events = await ReadAll("data: first\r\n\r\ndata: second\r\n\r\n");

        Assert.Equal(["first", "second"], events.Select(DataOf));
    }

    [Fact]
    public async Task A_comment_is_an_event_without_data()
    {
        var events = await ReadAll(": keep-alive\n\ndata: x\n\n");

        Assert.Equal(2, events.Count);
        Assert.False(events[0].HasData);
        Assert.False(events[0].IsDone);
        Assert.Equal(": keep-alive\n\n", Encoding.UTF8.GetString(events[0].Raw));
        Assert.Equal("x", DataOf(events[1]));
    }

    [Fact]
    public async Task Several_data_lines_are_joined_by_newlines()
    {
        var events = await ReadAll("data: line one\ndata: line two\r\ndata:line three\n\n");

        Assert.Equal("line one\nline two\nline three", DataOf(Assert.Single(events)));
    }

    [Fact]
    public async Task DONE_is_detected_and_nothing_else_is()
    {
        var events = await ReadAll("data: [DONE]\n\ndata: [DONE] \n\ndata: \"[DONE]\"\n\n: [DONE]\n\n");

        Assert.Equal([true, false, false, false], events.Select(e => e.IsDone));
    }

    [Theory]
    [InlineData("data: a\n\ndata: last")]
    [InlineData("data: a\n\ndata: last\n")]
    [InlineData("data: a\r\n\r\ndata: last\r\n")]
    public async Task A_last_event_without_its_blank_line_is_still_returned(string wire)
    {
        var events = await ReadAll(wire);

        Assert.Equal(["a", "last"], events.Select(DataOf));
    }

    [Fact]
    public async Task End_of_stream_returns_null_and_keeps_returning_null()
    {
        await using var reader = new SseEventReader(new TrickleStream(Encoding.UTF8.GetBytes("data: x\n\n\n\n")));

        Assert.NotNull(await reader.ReadAsync(Ct));
        Assert.Null(await reader.ReadAsync(Ct));
        Assert.Null(await reader.ReadAsync(Ct));
    }

    [Fact]
    public async Task An_empty_stream_has_no_events()
    {
        Assert.Empty(await ReadAll(""));
    }

    [Fact]
    public async Task Leading_blank_lines_do_not_make_an_empty_event()
    {
        var events = await ReadAll("\n\r\ndata: x\n\n");

        Assert.Equal(["x"], events.Select(DataOf));
    }

    [Fact]
    public async Task Multibyte_text_split_between_reads_is_intact()
    {
        var events = await ReadAll("data: {\"content\":\"héllo wörld — 日本語 🙂\"}\n\n", seed: 11);

        Assert.Equal("{\"content\":\"héllo wörld — 日本語 🙂\"}", DataOf(Assert.Single(events)));
    }

    [Fact]
    public async Task The_stream_is_left_open_for_its_owner()
    {
        var body = new MemoryStream(Encoding.UTF8.GetBytes("data: x\n\n"));
        await using (var reader = new SseEventReader(body))
        {
            Assert.NotNull(await reader.ReadAsync(Ct));
        }

        Assert.True(body.CanRead);
    }
}
