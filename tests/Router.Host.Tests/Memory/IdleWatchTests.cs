using Router.Host.Memory;

namespace Router.Host.Tests.Memory;

public sealed class IdleWatchTests
{
    private const long Idle = 1_000;

    /// <summary>A look at a new watch, given the bytes allocated since the one before.</summary>
    private static Func<long, bool> Looks(int quietLooks)
    {
        var watch = new IdleWatch(Idle, quietLooks, allocated: 0);
        var allocated = 0L;
        return bytes => watch.TrafficStopped(allocated += bytes);
    }

    [Fact]
    public void Traffic_stops_once_per_busy_while_at_the_first_idle_look()
    {
        var look = Looks(quietLooks: 1);

        // Idle from the start: nothing stopped (the start's trim has been done).
        Assert.False(look(10));
        Assert.False(look(Idle));
        // Busy for two looks, then idle: stopped at the first idle look, not again while it stays idle.
        Assert.False(look(50_000));
        Assert.False(look(Idle + 1));
        Assert.True(look(200));
        Assert.False(look(0));
        Assert.False(look(500));
        // Busy again, then idle again: a second stop.
        Assert.False(look(80_000));
        Assert.True(look(0));
    }

    [Fact]
    public void Traffic_stops_only_after_as_many_idle_looks_in_a_row_as_asked()
    {
        var look = Looks(quietLooks: 3);

        Assert.False(look(0)); // idle from the start: nothing to stop
        Assert.False(look(50_000));
        Assert.False(look(0));
        Assert.False(look(Idle));
        // A busy look between idle ones starts the count again: a pause between a client's requests is not a stop.
        Assert.False(look(Idle + 1));
        Assert.False(look(0));
        Assert.False(look(0));
        Assert.True(look(0));
        // Stopped once: quiet looks after it stop nothing.
        Assert.False(look(0));
        Assert.False(look(0));
        Assert.False(look(0));
    }
}
