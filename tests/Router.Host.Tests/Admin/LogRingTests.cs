using Microsoft.Extensions.Logging;
using Router.Host.Admin;

namespace Router.Host.Tests.Admin;

/// <summary><c>router log peek</c>'s ring: the last lines, oldest first, filtered by level, bounded.</summary>
public sealed class LogRingTests
{
    private static ILogger Logger(LogRing ring) => ring.CreateLogger("Test.Category");

    [Fact]
    public void It_keeps_the_last_lines_up_to_its_capacity_oldest_first()
    {
        var ring = new LogRing(capacity: 3);
        var logger = Logger(ring);
        for (var i = 1; i <= 5; i++) logger.LogInformation("line {Number}", i);

        Assert.Equal(["line 3", "line 4", "line 5"], ring.Last(10).Select(l => l.Message));
        Assert.Equal(["line 4", "line 5"], ring.Last(2).Select(l => l.Message));
        Assert.All(ring.Last(10), l => Assert.Equal(("information", "Test.Category"), (l.Level, l.Category)));
    }

    [Fact]
    public void A_minimum_level_leaves_out_the_lines_below_it()
    {
        var ring = new LogRing();
        var logger = Logger(ring);
        logger.LogInformation("started");
        logger.LogWarning("slow");
        logger.LogError(new InvalidOperationException("boom"), "failed");

        var lines = ring.Last(10, LogLevel.Warning);

        Assert.Equal(["slow", "failed (InvalidOperationException: boom)"], lines.Select(l => l.Message));
        Assert.Equal(["warning", "error"], lines.Select(l => l.Level));
    }
}
