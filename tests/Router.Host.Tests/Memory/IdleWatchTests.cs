using Router.Host.Memory;

namespace Router.Host.Tests.Memory;

public sealed class IdleWatchTests
{
    private const long Idle = 1_000;

    [Fact]
    public void Traffic_stops_once_per_busy_while_at_the_first_idle_look()
    {
        var watch = new IdleWatch(Idle, quietLooks: 1, allocated: 0);
        var allocated = 0L;
        bool Look(long bytes) => watch.TrafficStopped(allocated += bytes);

        // Idle from the start: nothing stopped (the start's trim has been done).
        Assert.False(Look(10));
        Assert.False(Look(Idle));
        // Busy for two looks, then idle: stopped at the first idle look, not again while it stays idle.
        Assert.False(Look(50_000));
        Assert.False(Look(Idle + 1));
        Assert.True(Look(200));
        Assert.False(Look(0));
        Assert.False(Look(500));
        // Busy again, then idle again: a second stop.
        Assert.False(Look(80_000));
        Assert.True(Look(0));
    }

    [Fact]
    public void Traffic_stops_only_after_as_many_idle_looks_in_a_row_as_asked()
    {
        var watch = new IdleWatch(Idle, quietLooks: 3, allocated: 0);
        var allocated = 0L;
        bool Look(long bytes) => watch.TrafficStopped(allocated += bytes);

        Assert.False(Look(0)); // idle from the start: nothing to stop
        Assert.False(Look(50_000));
        Assert.False(Look(0));
        Assert.False(Look(Idle));
        // A busy look between idle ones starts the count again: a pause between a client's requests is not a stop.
        Assert.False(Look(Idle + 1));
        Assert.False(Look(0));
        Assert.False(Look(0));
        Assert.True(Look(0));
        // Stopped once: quiet looks after it stop nothing.
        Assert.False(Look(0));
        Assert.False(Look(0));
        Assert.False(Look(0));
    }
}
