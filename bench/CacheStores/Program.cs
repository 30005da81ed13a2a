// Two candidate in-memory stores for the response cache, each filled to a 64 MB bound with answers of
// the router's usual size, then driven past it: every operation inserts a new answer (a stored miss)
// and reads back the answer inserted 1,000 operations earlier (a hit on a recent entry), from two
// threads. Printed per store: operations per second, how many of those recent answers were still
// there (an exact least-recently-used cache keeps them all), the bytes held against the bound, and how long
// a blocking full garbage collection takes with the store full.
// Usage: dotnet bench/CacheStores/bin/Release/net10.0/CacheStores.dll [operations per thread, default 300000]
using System.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Router.Contracts.Wire;
using Router.Host.Caching;

const long MaxBytes = 64L * 1024 * 1024;
const int BodyBytes = 560; // a small chat.completion, as the mock answers
const int Lag = 1_000;
var operations = args.Length > 0 ? int.Parse(args[0]) : 300_000;
var ttl = TimeSpan.FromHours(1);
var body = new CachedResponse(new byte[BodyBytes], TokenUsage.None, 0m, DateTimeOffset.UtcNow, new CacheProducer("bench", "bench", "bench"));
static CacheEntryKey KeyOf(int thread, int i) => new("default", "bench-model", $"{thread:D2}{i:D62}");

var stores = new (string Name, Func<object> Create, Action<object, CacheEntryKey> Set, Func<object, CacheEntryKey, bool> Get, Func<object, long> Bytes)[]
{
    ("router MemoryResponseCacheStore", () => new MemoryResponseCacheStore(MaxBytes, TimeProvider.System),
        (s, k) => ((MemoryResponseCacheStore)s).SetAsync(k, body, ttl, default).GetAwaiter().GetResult(),
        (s, k) => ((MemoryResponseCacheStore)s).GetAsync(k, default).GetAwaiter().GetResult() is not null,
        s => ((MemoryResponseCacheStore)s).Bytes),
    ("Microsoft.Extensions.Caching.Memory, SizeLimit", () => new MemoryCache(new MemoryCacheOptions { SizeLimit = MaxBytes, TrackStatistics = true }),
        (s, k) => ((MemoryCache)s).Set(k, body, new MemoryCacheEntryOptions { Size = MemoryResponseCacheStore.SizeOf(k, body), AbsoluteExpirationRelativeToNow = ttl }),
        (s, k) => ((MemoryCache)s).TryGetValue(k, out _),
        s => ((MemoryCache)s).GetCurrentStatistics()?.CurrentEstimatedSize ?? -1),
};

foreach (var (name, create, set, get, bytes) in stores)
{
    var store = create();
    var fill = (int)(MaxBytes / MemoryResponseCacheStore.SizeOf(KeyOf(0, 0), body)) + 1;
    for (var i = 0; i < fill; i++) set(store, KeyOf(99, i));
    Thread.Sleep(500); // let a background compaction, if any, finish
    var filled = bytes(store);

    long found = 0, asked = 0;
    var clock = Stopwatch.StartNew();
    var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
    {
        long hits = 0, reads = 0;
        for (var i = 0; i < operations; i++)
        {
            set(store, KeyOf(t, i));
            if (i < Lag) continue;
            reads++;
            if (get(store, KeyOf(t, i - Lag))) hits++;
        }
        Interlocked.Add(ref found, hits);
        Interlocked.Add(ref asked, reads);
    })).ToList();
    threads.ForEach(t => t.Start());
    threads.ForEach(t => t.Join());
    clock.Stop();
    // What holding the full store costs every blocking full collection (the fastest of five, to leave out the machine's other load).
    var fullCollection = Enumerable.Range(0, 5).Select(_ =>
    {
        var timer = Stopwatch.StartNew();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        return timer.Elapsed.TotalMilliseconds;
    }).Min();
    Console.WriteLine($"| {name} | {2.0 * operations / clock.Elapsed.TotalSeconds:N0} | {100.0 * found / asked:F1} % | {filled:N0} | {bytes(store):N0} | {fullCollection:F1} ms |");
    GC.KeepAlive(store);
    (store as IDisposable)?.Dispose();
    GC.Collect();
}
