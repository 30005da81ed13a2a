using Router.Contracts.Wire;
using Router.Host.Caching;
using Router.Tests.Shared;

namespace Router.Host.Tests.Caching;

/// <summary>
/// The in-memory store far past its byte bound: against a plain least-recently-used model, with random
/// sizes and reads; from several threads at once; and with expired entries leaving without any write.
/// </summary>
public sealed class MemoryResponseCacheStoreBoundTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);
    private readonly ManualClock _clock = new();

    private static CacheEntryKey Key(int i) => new("default", "m", $"k{i:D5}"); // one length, so one size per body

    private static CachedResponse Body(int bytes) =>
        new(new byte[bytes], TokenUsage.None, 0m, new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero), new CacheProducer("m", "p", "m"));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Far_past_the_bound_it_keeps_exactly_what_a_least_recently_used_cache_of_that_many_bytes_keeps(int seed)
    {
        const long maxBytes = 64 * 1024;
        var random = new Random(seed);
        using var store = new MemoryResponseCacheStore(maxBytes, _clock);
        var model = new List<(int Key, long Size)>(); // least recently used first
        var sizes = new Dictionary<int, int>();

        for (var step = 0; step < 20_000; step++) // about 40 times what fits
        {
            var key = random.Next(2_000);
            if (random.Next(3) == 0)
            {
                var hit = await store.GetAsync(Key(key), Ct);
                var index = model.FindIndex(e => e.Key == key);
                Assert.Equal(index >= 0, hit is not null);
                if (index < 0) continue;
                Assert.Equal(sizes[key], hit!.Body.Length);
                var entry = model[index];
                model.RemoveAt(index);
                model.Add(entry);
            }
            else
            {
                var bodyBytes = random.Next(1, 4_000);
                var value = Body(bodyBytes);
                var size = MemoryResponseCacheStore.SizeOf(Key(key), value);
                await store.SetAsync(Key(key), value, Long, Ct);
                model.RemoveAll(e => e.Key == key);
                while (model.Sum(e => e.Size) + size > maxBytes) model.RemoveAt(0);
                model.Add((key, size));
                sizes[key] = bodyBytes;
            }

            Assert.True(store.Bytes <= maxBytes, $"{store.Bytes} bytes held at step {step}, over the bound of {maxBytes}");
            Assert.Equal(model.Sum(e => e.Size), store.Bytes);
            Assert.Equal(model.Count, store.Count);
        }
        foreach (var (key, _) in model) Assert.NotNull(await store.GetAsync(Key(key), Ct));
    }

    [Fact]
    public async Task Many_threads_reading_writing_and_flushing_leave_the_bound_and_the_counts_exact()
    {
        const int keys = 400;
        const long maxBytes = 100 * 1024;
        using var store = new MemoryResponseCacheStore(maxBytes, _clock);
        static int BodyBytes(int key) => 200 + key * 3; // a key always has the same size, so the survivors can be summed

        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var i = 0; i < 20_000; i++)
            {
                var key = random.Next(keys);
                var roll = random.Next(100);
                if (roll < 60) await store.GetAsync(Key(key), Ct);
                else if (roll < 99) await store.SetAsync(Key(key), Body(BodyBytes(key)), Long, Ct);
                else await store.FlushAsync(new CacheScope(EntryId: Key(key).Id), Ct);
                Assert.True(store.Bytes <= maxBytes);
            }
        }, Ct)).ToArray();
        await Task.WhenAll(workers);

        long bytes = 0;
        var count = 0;
        for (var key = 0; key < keys; key++)
            if (await store.GetAsync(Key(key), Ct) is { } hit)
            {
                Assert.Equal(BodyBytes(key), hit.Body.Length);
                bytes += MemoryResponseCacheStore.SizeOf(Key(key), hit);
                count++;
            }
        Assert.Equal(bytes, store.Bytes);
        Assert.Equal(count, store.Count);
        Assert.True(bytes > maxBytes / 2, $"only {bytes} bytes held: eviction took more than it needed");
    }

    [Fact]
    public async Task Expired_entries_leave_on_their_own_without_a_write()
    {
        using var store = new MemoryResponseCacheStore(1 << 20, _clock);
        for (var i = 0; i < 300; i++)
            await store.SetAsync(Key(i), Body(100), TimeSpan.FromSeconds(1 + i % 30), Ct);
        await store.SetAsync(Key(-1), Body(100), Long, Ct);

        _clock.Advance(TimeSpan.FromDays(2)); // a quiet spell far longer than the number of seconds in use
        var deadline = DateTime.UtcNow.AddSeconds(10); // the sweep runs every (real) second
        while (store.Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(50, Ct);

        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
        Assert.Null(await store.GetAsync(Key(-1), Ct));
    }

    [Fact]
    public async Task An_entry_read_many_times_is_not_evicted_before_one_never_read()
    {
        var entry = MemoryResponseCacheStore.SizeOf(Key(0), Body(1000));
        using var store = new MemoryResponseCacheStore(10 * entry, _clock);
        for (var i = 0; i < 10; i++) await store.SetAsync(Key(i), Body(1000), Long, Ct);
        // More reads than the read buffer holds, all before the next write: each must still count.
        for (var round = 0; round < 50; round++)
            for (var i = 0; i < 5; i++)
                await store.GetAsync(Key(i), Ct);

        for (var i = 10; i < 15; i++) await store.SetAsync(Key(i), Body(1000), Long, Ct);

        for (var i = 0; i < 5; i++) Assert.NotNull(await store.GetAsync(Key(i), Ct));
        for (var i = 5; i < 10; i++) Assert.Null(await store.GetAsync(Key(i), Ct));
    }
}
