using Router.Contracts.Configuration;

namespace Router.Host.Hosting;

/// <summary>
/// The memory the runtime's heap may use (<c>System.GC.HeapHardLimitPercent</c>, 60% of a container's limit or of the
/// machine's memory: the rest is the runtime's code and the native libraries, 80-100 MB under load), said once at start;
/// and a warning when the in-memory response cache may fill half of it, where it would leave the requests too little.
/// </summary>
public static class MemoryReport
{
    public static void Log(ILogger logger, CacheSettings cache, long heapLimit)
    {
        logger.LogInformation("Memory: the heap may use {Limit} MB", heapLimit / (1024 * 1024));
        if (!cache.Enabled || cache.Redis is not null || cache.MaxBytes <= heapLimit / 2) return;
        logger.LogWarning(
            "Memory: the response cache may hold {Cache} MB of the {Limit} MB the heap may use, and leave the requests too little: " +
            "lower router.cache.max-bytes, or give the router more memory", cache.MaxBytes / (1024 * 1024), heapLimit / (1024 * 1024));
    }
}
