using System.Globalization;
using Router.Host.RequestLog;

namespace Router.Host.Tests.RequestLog;

/// <summary>The request log's times as text: what the custom format wrote before, to the millisecond, sortable as text.</summary>
public sealed class LogTimeTests
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    [Theory]
    [InlineData("2026-12-06T03:41:07.0419999+00:00", "2026-12-06T03:41:07.041Z")]
    [InlineData("2026-01-01T00:00:00+01:00", "2025-12-31T23:00:00.000Z")]
    [InlineData("0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00.000Z")]
    [InlineData("9999-12-31T23:59:59.9999999+00:00", "9999-12-31T23:59:59.999Z")]
    public void A_time_is_written_in_UTC_to_the_millisecond_truncated(string time, string expected) =>
        Assert.Equal(expected, RequestLogWriter.FormatTime(DateTimeOffset.Parse(time, CultureInfo.InvariantCulture)));

    [Fact]
    public void Any_time_is_written_as_the_custom_format_wrote_it_and_bound_alike()
    {
        var random = new Random(24);
        Span<char> bound = stackalloc char[RequestLogWriter.TimeLength];
        for (var i = 0; i < 100_000; i++)
        {
            var time = new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay),
                TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1)));
            var expected = time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
            Assert.Equal(expected, RequestLogWriter.FormatTime(time));
            RequestLogWriter.WriteTime(bound, time);
            Assert.Equal(expected, bound.ToString());
        }
    }
}
