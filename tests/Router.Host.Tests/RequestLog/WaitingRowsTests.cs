using Router.Host.RequestLog;

namespace Router.Host.Tests.RequestLog;

/// <summary>The request log's entries between a request and the writer: taken in order, as they were handed over, within the bound.</summary>
public sealed class WaitingRowsTests
{
    private static RequestLogEntry Entry(int n, string? metadata = null) => new()
    {
        Time = DateTimeOffset.UnixEpoch.AddSeconds(n), RequestId = $"req_{n}", Status = 200, RoutedModel = "m", Metadata = metadata,
        Attempts = [new AttemptLogEntry(1, "p", "p:m", 200, 200, n, null, "answered")],
    };

    /// <summary>The next entry, made an entry again and its bytes given back, as the writer's batch does.</summary>
    private static bool Take(WaitingRows rows, out RequestLogEntry entry)
    {
        if (!rows.TryTake(out var encoded))
        {
            entry = null!;
            return false;
        }
        entry = rows.Decode(encoded);
        rows.Release(encoded);
        return true;
    }

    private static bool Add(WaitingRows rows, RequestLogEntry entry)
    {
        var encoded = rows.Encode(entry);
        if (rows.TryAdd(encoded)) return true;
        rows.Release(encoded);
        return false;
    }

    [Fact]
    public void Entries_are_taken_in_order_as_they_were_added_a_large_one_too()
    {
        var rows = new WaitingRows(capacity: 10);
        var large = "{\"note\":\"" + new string('x', 100_000) + "\"}";
        Assert.True(Add(rows, Entry(1)));
        Assert.True(Add(rows, Entry(2, large)));
        Assert.True(Add(rows, Entry(3)));
        Assert.Equal(3, rows.Count);
        for (var n = 1; n <= 3; n++)
        {
            Assert.True(Take(rows, out var entry));
            Assert.Equal($"req_{n}", entry.RequestId);
            Assert.Equal(n == 2 ? large : null, entry.Metadata);
            Assert.Equal(n, Assert.Single(entry.Attempts).LatencyMs);
        }
        Assert.False(Take(rows, out _));
    }

    [Fact]
    public void An_entry_waits_in_bytes_a_young_collection_never_copies()
    {
        var rows = new WaitingRows(capacity: 10);
        var fresh = rows.Encode(Entry(1));
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(fresh.Bytes)); // made on the pinned object heap
        rows.Release(fresh);
        var reused = rows.Encode(Entry(2));
        Assert.Same(fresh.Bytes, reused.Bytes);
        Assert.Equal(2, rows.Decode(reused).Attempts[0].LatencyMs);
    }

    [Fact]
    public void Arrays_kept_for_entries_are_given_up_when_traffic_stops_those_still_waiting_come_back()
    {
        var rows = new WaitingRows(capacity: 10);
        var kept = rows.Encode(Entry(1));
        var waiting = rows.Encode(Entry(2));
        rows.Release(kept);
        rows.ReleaseKept();
        var next = rows.Encode(Entry(3));
        Assert.NotSame(kept.Bytes, next.Bytes);
        Assert.NotSame(waiting.Bytes, next.Bytes);
        // An entry that waited through the release gives its array back as before.
        rows.Release(waiting);
        Assert.Same(waiting.Bytes, rows.Encode(Entry(4)).Bytes);
    }

    [Fact]
    public void A_full_queue_refuses_until_an_entry_is_taken()
    {
        var rows = new WaitingRows(capacity: 2);
        Assert.True(Add(rows, Entry(1)));
        Assert.True(Add(rows, Entry(2)));
        Assert.False(Add(rows, Entry(3)));
        Assert.True(Take(rows, out _));
        Assert.True(Add(rows, Entry(4)));
        Assert.True(Take(rows, out var second));
        Assert.Equal("req_2", second.RequestId);
        Assert.True(Take(rows, out var fourth));
        Assert.Equal("req_4", fourth.RequestId);
    }

    [Fact]
    public async Task Once_complete_nothing_is_added_and_what_waits_is_still_taken()
    {
        var rows = new WaitingRows(capacity: 10);
        Assert.True(Add(rows, Entry(1)));
        rows.Complete();
        Assert.False(Add(rows, Entry(2)));
        Assert.False(rows.Completion.IsCompleted);
        Assert.True(Take(rows, out var entry));
        Assert.Equal("req_1", entry.RequestId);
        await rows.Completion.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.False(await rows.WaitAsync(TestContext.Current.CancellationToken));
    }
}
