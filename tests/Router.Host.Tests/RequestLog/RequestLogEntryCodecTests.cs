using System.Buffers;
using System.Collections;
using System.Reflection;
using Router.Host.RequestLog;

namespace Router.Host.Tests.RequestLog;

/// <summary>A request log entry waits for the writer as bytes: what is read back is what was written, every field of it.</summary>
public sealed class RequestLogEntryCodecTests
{
    // Every property set, none to its default, so that a field the codec forgot cannot read back equal by chance.
    private static RequestLogEntry Full() => new()
    {
        Time = new DateTimeOffset(2026, 12, 6, 16, 45, 7, 123, TimeSpan.FromHours(2)).AddTicks(4_567),
        RequestId = "req_0123456789abcdef000000000042", KeyId = "key_1", KeyPrefix = "sk-...abcd", KeyAlias = "alice's laptop ✓",
        RequestedModel = "gpt-4o", RoutedModel = "gpt-4o-mini", Provider = "openai", Deployment = "openai:gpt-4o-mini",
        Status = 502, UpstreamStatus = 503, ErrorOrigin = "provider", PromptTokens = 1_234, CompletionTokens = 56, CachedTokens = 7,
        Cost = 0.000123456789012m, Estimated = true, CacheHit = true, Cache = "miss", SavedCost = 12.5m, LatencyMs = 812.25,
        TtftMs = 95.5, OverheadMs = 0.375, UpstreamError = """{"error":{"message":"overloaded"}}""",
        Metadata = """{"user":"ü"}""", Tags = ["team:a", "prod"], Mocked = true,
        Attempts =
        [
            new AttemptLogEntry(1, "openai", "openai:gpt-4o", 503, 503, 400.5, "provider", "retried"),
            new AttemptLogEntry(2, null, null, 200, null, 12.0, null, "answered"),
        ],
    };

    private static RequestLogEntry RoundTrip(RequestLogEntry entry, LogStrings? strings = null)
    {
        var bytes = new ArrayBufferWriter<byte>();
        RequestLogEntryCodec.Write(entry, bytes);
        return RequestLogEntryCodec.Read(bytes.WrittenSpan, strings ?? new LogStrings());
    }

    [Fact]
    public void Every_property_reads_back_as_written()
    {
        var written = Full();
        var read = RoundTrip(written);
        foreach (var property in typeof(RequestLogEntry).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var (expected, actual) = (property.GetValue(written), property.GetValue(read));
            Assert.False(expected is null || (expected.GetType().IsValueType && expected.Equals(Activator.CreateInstance(expected.GetType()))) ||
                         expected is ICollection { Count: 0 }, $"the sample sets {property.Name}");
            if (expected is IEnumerable list and not string) Assert.Equal(list.Cast<object>(), ((IEnumerable)actual!).Cast<object>());
            else Assert.Equal(expected, actual);
        }
        Assert.Equal(written.Time.Offset, read.Time.Offset);
    }

    [Fact]
    public void Nulls_and_empty_lists_read_back_as_nulls_and_empty_lists()
    {
        var written = new RequestLogEntry { Time = DateTimeOffset.UnixEpoch, RequestId = "req_1", Status = 200 };
        var read = RoundTrip(written);
        Assert.Equal(written with { Attempts = read.Attempts, Tags = read.Tags }, read);
        Assert.Empty(read.Attempts);
        Assert.Empty(read.Tags);
        Assert.Null(read.TtftMs);
        Assert.Null(read.UpstreamStatus);
    }

    [Fact]
    public void The_strings_rows_repeat_are_one_string_the_request_id_is_its_own()
    {
        var strings = new LogStrings();
        var (first, second) = (RoundTrip(Full(), strings), RoundTrip(Full(), strings));
        Assert.Same(first.RoutedModel, second.RoutedModel);
        Assert.Same(first.KeyId, second.KeyId);
        Assert.Same(first.Attempts[0].Verdict, second.Attempts[0].Verdict);
        Assert.NotSame(first.RequestId, second.RequestId);
        Assert.Equal(first.RequestId, second.RequestId);
    }

    [Fact]
    public void A_string_longer_than_the_table_takes_reads_back_whole()
    {
        var model = new string('m', 300) + "é";
        Assert.Equal(model, RoundTrip(Full() with { RoutedModel = model }).RoutedModel);
    }
}
