using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Router.Host.Memory;

/// <summary>
/// Gives memory the router holds but does not use back to the system when it has no traffic: once its start is over, and each
/// time traffic stops after a busy while. Under load the collector keeps committed what it collected, ready for the next
/// allocations, and the C library keeps what native code freed (SQLite's caches among it); an idle gateway in a small container
/// should hold neither. A trim is one compacting collection of the whole heap (a pause of about 12 ms after the start, 110 ms with
/// the 64 MB response cache full: bench/README), taken only when the last <see cref="QuietLooks"/> looks, a second apart, each
/// found almost nothing allocated: no request is there to wait for it, or a few.
/// </summary>
/// <param name="keepers">What keeps memory for traffic (the request log's pool): asked to let it go when traffic stops.</param>
public sealed class MemoryTrim(IHostApplicationLifetime lifetime, IEnumerable<IReleasesWhenIdle> keepers, ILogger<MemoryTrim> logger)
    : BackgroundService
{
    // The work a start sets going once the server listens (the first readiness checks, the key directory's first refresh,
    // the journal's recovery) is over by then. The start allocates about 170 MB, of which the collector keeps 16 MB committed.
    private static readonly TimeSpan AfterStart = TimeSpan.FromSeconds(5);

    // How often the allocations are looked at, and how many quiet looks in a row say traffic has stopped: a trim 3-4 s after
    // the last request. Looks 5 s apart, each enough alone, trimmed 5-15 s after it, as the last look of traffic fell and the
    // request log's writer finished the rows that waited: four of bench/run's last fourteen figures 13 s after its load
    // were taken before the trim (282-284 against 235-245 MB, bench/README, issue 24).
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    private const int QuietLooks = 3;

    // At most this many bytes allocated in one look is idle: a request allocates about 15 KB, so about 17 requests a second;
    // an idle router's timers and health checks allocate a few kilobytes a second.
    private const long IdleBytes = 256 << 10;

    // Spare room below this is not worth a collection of the whole heap.
    private const long WorthTrimmingBytes = 16 << 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken);
        await Task.Delay(AfterStart, stoppingToken);
        Trim();

        using var timer = new PeriodicTimer(Every);
        var watch = new IdleWatch(IdleBytes, QuietLooks, GC.GetTotalAllocatedBytes());
        while (await timer.WaitForNextTickAsync(stoppingToken))
            if (watch.TrafficStopped(GC.GetTotalAllocatedBytes())) TrafficStopped();
    }

    /// <summary>What was kept for traffic is let go, and the heap trimmed if it holds enough room to be worth a collection.</summary>
    public void TrafficStopped()
    {
        foreach (var keeper in keepers) keeper.ReleaseIdleMemory();
        if (SpareBytes() >= WorthTrimmingBytes) Trim();
    }

    /// <summary>What the collector holds committed beyond the objects its last collection kept (free space inside the heap included).</summary>
    private static long SpareBytes()
    {
        var info = GC.GetGCMemoryInfo();
        return info.TotalCommittedBytes - (info.HeapSizeBytes - info.FragmentedBytes);
    }

    private void Trim()
    {
        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var start = Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var paused = Stopwatch.GetElapsedTime(start);
        TrimNativeHeap();
        logger.LogDebug("Idle: gave back {Megabytes} MB the collector held beyond its heap, in a pause of {Milliseconds:F1} ms",
            (committed - GC.GetGCMemoryInfo().TotalCommittedBytes) >> 20, paused.TotalMilliseconds);
    }

    /// <summary>
    /// Returns the C library's free pages to the system (glibc's <c>malloc_trim</c>): without it, what native code freed stays
    /// in its arenas. Other C libraries (musl) have no such call, and nothing to do.
    /// </summary>
    private static void TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
        }
    }

    // DllImport, not LibraryImport: the source-generated stub would need unsafe code, for a call with only blittable arguments.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
