using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Router.Host.Memory;

namespace Router.Host.Tests.Memory;

public sealed class MemoryTrimTests
{
    private sealed class Keeper : IReleasesWhenIdle
    {
        public int Released { get; private set; }
        public void ReleaseIdleMemory() => Released++;
    }

    [Fact]
    public void When_traffic_stops_what_was_kept_for_it_is_let_go()
    {
        Keeper first = new(), second = new();
        var trim = new MemoryTrim(new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), [first, second], NullLogger<MemoryTrim>.Instance);
        trim.TrafficStopped();
        Assert.Equal(1, first.Released);
        Assert.Equal(1, second.Released);
    }
}
