using Router.Host.RequestLog;

namespace Router.Host.Tests.RequestLog;

/// <summary>The rollups' latency buckets, percentiles over them, and the split of a range into tiers.</summary>
public sealed class RollupMathTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(0.125, 0)]
    [InlineData(0.13, 1)]
    [InlineData(1, 9)] // 2^0: exactly a bound, counted in it
    [InlineData(1.0001, 10)]
    [InlineData(2, 12)]
    [InlineData(1000, 39)] // 2^(39/3 − 3) = 1024
    [InlineData(208_000, 62)] // below 2^(17 2/3) = 208,064 ms, the last finite bound
    [InlineData(208_100, 63)]
    [InlineData(1e9, 63)]
    public void A_value_falls_in_the_first_bucket_whose_bound_holds_it(double ms, int bucket)
    {
        Assert.Equal(bucket, LatencyHistogram.Index(ms));
        Assert.True(ms <= LatencyHistogram.Bound(bucket) || bucket == LatencyHistogram.Buckets - 1);
        if (bucket > 0) Assert.True(ms > LatencyHistogram.Bound(bucket - 1));
    }

    [Fact]
    public void Every_bound_is_in_its_own_bucket_and_a_third_of_a_doubling_above_the_last()
    {
        for (var i = 0; i < LatencyHistogram.Buckets - 1; i++)
        {
            Assert.Equal(i, LatencyHistogram.Index(LatencyHistogram.Bound(i)));
            if (i > 0) Assert.Equal(Math.Pow(2, 1.0 / 3), LatencyHistogram.Bound(i) / LatencyHistogram.Bound(i - 1), 9);
        }
    }

    [Fact]
    public void Percentiles_are_nearest_rank_over_the_bucket_counts()
    {
        var counts = new long[LatencyHistogram.Buckets];
        Assert.Null(LatencyHistogram.Percentile(counts, 50));
        counts[10] = 50; // 50 values in bucket 10
        counts[20] = 45;
        counts[30] = 5;
        Assert.Equal(LatencyHistogram.Bound(10), LatencyHistogram.Percentile(counts, 50)); // rank 50: the last of bucket 10
        Assert.Equal(LatencyHistogram.Bound(20), LatencyHistogram.Percentile(counts, 51));
        Assert.Equal(LatencyHistogram.Bound(20), LatencyHistogram.Percentile(counts, 95)); // rank 95
        Assert.Equal(LatencyHistogram.Bound(30), LatencyHistogram.Percentile(counts, 96));
        Assert.Equal(LatencyHistogram.Bound(30), LatencyHistogram.Percentile(counts, 100));
        counts[63] = 1000; // overflow: reported as the last finite bound
        Assert.Equal(LatencyHistogram.Bound(62), LatencyHistogram.Percentile(counts, 99));
    }

    [Fact]
    public void Bucket_keys_are_the_start_of_the_minute_hour_and_day_in_the_logs_time_text()
    {
        var t = new DateTimeOffset(2026, 3, 1, 13, 47, 59, 999, TimeSpan.FromHours(2)); // 11:47:59.999 UTC
        Assert.Equal("2026-03-01T11:47:00.000Z", RollupTiers.Key(RollupTier.Minute, t));
        Assert.Equal("2026-03-01T11:00:00.000Z", RollupTiers.Key(RollupTier.Hour, t));
        Assert.Equal("2026-03-01T00:00:00.000Z", RollupTiers.Key(RollupTier.Day, t));
        var utc = t.UtcDateTime;
        Assert.Equal(new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc), RollupTiers.Ceiling(RollupTier.Hour, utc));
        Assert.Equal(new DateTime(2026, 3, 1, 11, 0, 0, DateTimeKind.Utc), RollupTiers.Ceiling(RollupTier.Hour, new DateTime(2026, 3, 1, 11, 0, 0, DateTimeKind.Utc)));
    }

    private static DateTime At(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void A_range_is_read_in_whole_days_then_hours_then_minutes_at_its_edges()
    {
        var pieces = RollupRange.Split(new DateTimeOffset(At(1, 22, 30).AddSeconds(15)), new DateTimeOffset(At(4, 2, 10)), null, null);
        Assert.Equal(
            [
                new RollupPiece(RollupTier.Minute, At(1, 22, 30), At(1, 23)),
                new RollupPiece(RollupTier.Hour, At(1, 23), At(2, 0)),
                new RollupPiece(RollupTier.Day, At(2, 0), At(4, 0)),
                new RollupPiece(RollupTier.Hour, At(4, 0), At(4, 2)),
                new RollupPiece(RollupTier.Minute, At(4, 2), At(4, 2, 10)),
            ],
            pieces);
    }

    [Fact]
    public void Unbounded_sides_have_no_edges_and_a_series_is_never_read_coarser_than_its_buckets()
    {
        Assert.Equal([new RollupPiece(RollupTier.Day, null, null)], RollupRange.Split(null, null, null, null));
        Assert.Equal([new RollupPiece(RollupTier.Minute, At(1, 10, 5), At(1, 11)), new RollupPiece(RollupTier.Hour, At(1, 11), null)],
            RollupRange.Split(new DateTimeOffset(At(1, 10, 5)), null, null, null, coarsest: RollupTier.Hour));
        Assert.Equal([new RollupPiece(RollupTier.Minute, At(1, 10, 5), At(1, 10, 7))],
            RollupRange.Split(new DateTimeOffset(At(1, 10, 5)), new DateTimeOffset(At(1, 10, 6).AddSeconds(1)), null, null));
    }

    [Fact]
    public void Edges_past_the_minute_retention_are_read_from_the_hours_around_them()
    {
        // Minute totals kept from day 3 only: the edge on day 1 comes from its whole hour.
        var pieces = RollupRange.Split(new DateTimeOffset(At(1, 22, 30)), new DateTimeOffset(At(3, 5, 10)), At(3, 0), null);
        Assert.Equal(
            [
                new RollupPiece(RollupTier.Hour, At(1, 22), At(1, 23)),
                new RollupPiece(RollupTier.Hour, At(1, 23), At(2, 0)),
                new RollupPiece(RollupTier.Day, At(2, 0), At(3, 0)),
                new RollupPiece(RollupTier.Hour, At(3, 0), At(3, 5)),
                new RollupPiece(RollupTier.Minute, At(3, 5), At(3, 5, 10)),
            ],
            pieces);
    }

    [Fact]
    public void Whole_months_are_read_from_the_month_totals_once_they_count_whole_months()
    {
        DateTime Day(int month, int day) => new(2026, month, day, 0, 0, 0, DateTimeKind.Utc);
        var from = new DateTimeOffset(At(20, 22));
        var to = new DateTimeOffset(Day(6, 2).AddHours(1));
        // Hours and days to the first whole month, months, then days and hours after the last.
        List<RollupPiece> Expected(DateTime firstMonth) =>
        [
            new RollupPiece(RollupTier.Hour, At(20, 22), At(21, 0)),
            new RollupPiece(RollupTier.Day, At(21, 0), firstMonth),
            new RollupPiece(RollupTier.Month, firstMonth, Day(6, 1)),
            new RollupPiece(RollupTier.Day, Day(6, 1), Day(6, 2)),
            new RollupPiece(RollupTier.Hour, Day(6, 2), Day(6, 2).AddHours(1)),
        ];
        Assert.Equal(Expected(Day(4, 1)), RollupRange.Split(from, to, null, null, RollupTier.Month));
        // Month totals whole only from May: April is read in days.
        Assert.Equal(Expected(Day(5, 1)), RollupRange.Split(from, to, null, null, RollupTier.Month, wholeMonthsFrom: Day(5, 1)));
        Assert.Equal([new RollupPiece(RollupTier.Day, null, Day(5, 1)), new RollupPiece(RollupTier.Month, Day(5, 1), null)],
            RollupRange.Split(null, null, null, null, RollupTier.Month, wholeMonthsFrom: Day(5, 1)));
        Assert.Equal(Day(3, 1), RollupTiers.Floor(RollupTier.Month, At(31, 23)));
        Assert.Equal(Day(4, 1), RollupTiers.Ceiling(RollupTier.Month, At(1, 0, 1)));
    }

    [Fact]
    public void Pieces_are_cut_at_the_split_and_those_before_it_marked()
    {
        var pieces = RollupRange.Split(new DateTimeOffset(At(1, 22, 30)), null, null, null);
        Assert.Equal(
            [
                (new RollupPiece(RollupTier.Minute, At(1, 22, 30), At(1, 23)), true),
                (new RollupPiece(RollupTier.Hour, At(1, 23), At(2, 0)), true),
                (new RollupPiece(RollupTier.Day, At(2, 0), At(3, 0)), true),
                (new RollupPiece(RollupTier.Day, At(3, 0), null), false),
            ],
            RollupRange.CutAt(pieces, At(3, 0)));
        Assert.Equal([.. pieces.Select(p => (p, false))], RollupRange.CutAt(pieces, null));
        Assert.Equal([(pieces[0], true), (pieces[1], true)], RollupRange.CutAt(pieces.Take(2), At(2, 0))); // ends at the split: whole
    }

    [Fact]
    public void A_histogram_is_stored_as_its_non_empty_buckets_and_merges_by_adding_counts()
    {
        var counts = new long[LatencyHistogram.Buckets];
        Assert.Equal("", HistogramText.Write(counts));
        counts[0] = 1;
        counts[9] = 3;
        counts[63] = 12_345_678_901;
        Assert.Equal("0:1,9:3,63:12345678901", HistogramText.Write(counts));

        var added = new long[LatencyHistogram.Buckets];
        added[9] = 2;
        added[40] = 1;
        Assert.Equal("0:1,9:5,40:1,63:12345678901", HistogramText.Merge("0:1,9:3,63:12345678901", added));
        Assert.Equal("9:2,40:1", HistogramText.Merge("", added));

        var read = new long[LatencyHistogram.Buckets];
        HistogramText.AddTo("0:1,9:5", read);
        HistogramText.AddTo("9:1", read);
        Assert.Equal((1, 6), (read[0], read[9]));
    }

    [Theory]
    [InlineData("9")]
    [InlineData("9:")]
    [InlineData("64:1")]
    [InlineData("-1:1")]
    [InlineData("1:2,,")]
    [InlineData("a:1")]
    public void Text_that_is_not_a_histogram_is_refused_not_read_as_zero(string text)
    {
        Assert.Throws<FormatException>(() => HistogramText.AddTo(text, new long[LatencyHistogram.Buckets]));
    }

    [Fact]
    public void A_row_added_to_another_counts_the_requests_of_both()
    {
        var (first, second) = (new RollupSums(), new RollupSums());
        first.Add(200, 10, 5, 0.5, 0, 1, ttftMs: null, overheadMs: 0.2);
        second.Add(502, 20, 0, 0, 0.25, 1000, ttftMs: 2, overheadMs: 0.2);
        second.Add(200, 1, 1, 0.125, 0, 1, ttftMs: 2, overheadMs: 0.2);

        first.Add(second);

        Assert.Equal((3L, 31L, 6L, 1L), (first.Requests, first.PromptTokens, first.CompletionTokens, first.Errors));
        Assert.Equal((0.625, 0.25), (first.Cost, first.SavedCost));
        Assert.Equal(2, first.Latency[LatencyHistogram.Index(1)]);
        Assert.Equal(1, first.Latency[LatencyHistogram.Index(1000)]);
        Assert.Equal(2, first.Ttft[LatencyHistogram.Index(2)]);
        Assert.Equal(3, first.Overhead[LatencyHistogram.Index(0.2)]);
        Assert.Equal(3, first.Latency.Sum());
        Assert.Equal((2L, 1L, 0.125), (second.Requests, second.Errors, second.Cost)); // the row added from is left as it was
    }
}
