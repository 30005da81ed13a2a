using Microsoft.Extensions.Logging;
using Router.Contracts.Configuration;
using Router.Host.Hosting;
using Router.Host.Tests.Caching;

namespace Router.Host.Tests.Hosting;

/// <summary>
/// The start says what the heap may use, and warns when the in-memory response cache may fill half of it: in a 200 MB
/// container (a heap of 120 MB) a full 64 MB cache left the requests too little (bench/memory-limit).
/// </summary>
public sealed class MemoryReportTests
{
    private const long MB = 1024 * 1024;

    [Theory]
    [InlineData(120, null, true)] // a 200 MB container, the default 64 MB cache
    [InlineData(134, null, false)] // a 224 MB container
    [InlineData(14_700, null, false)] // a 24 GB machine
    [InlineData(120, "127.0.0.1:6379", false)] // the cache lives in Redis, not in this heap
    public void The_cache_is_warned_of_when_it_may_fill_half_the_heap(long heapMb, string? redis, bool warned)
    {
        var logger = Logged(CacheSettings.Standard with { Redis = redis }, heapMb * MB);

        Assert.Contains(logger.Entries, e => e is { Level: LogLevel.Information, Message: var m } && m == $"Memory: the heap may use {heapMb} MB");
        Assert.Equal(warned ? 1 : 0, logger.Count(LogLevel.Warning));
        if (warned) Assert.Contains($"the response cache may hold 64 MB of the {heapMb} MB", logger.Entries.Single(e => e.Level == LogLevel.Warning).Message);
    }

    [Fact]
    public void A_cache_that_is_off_is_never_warned_of() =>
        Assert.Equal(0, Logged(CacheSettings.Standard with { Enabled = false, MaxBytes = 1024 * MB }, 120 * MB).Count(LogLevel.Warning));

    private static ListLogger<MemoryReportTests> Logged(CacheSettings cache, long heap)
    {
        var logger = new ListLogger<MemoryReportTests>();
        MemoryReport.Log(logger, cache, heap);
        return logger;
    }
}
