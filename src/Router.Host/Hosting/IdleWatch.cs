namespace Router.Host.Hosting;

/// <summary>
/// Tells, from how many bytes the process had allocated at each look, when its traffic has stopped after a busy while: once
/// per busy while, at the first look that finds almost nothing allocated since the one before (see <see cref="MemoryTrim"/>).
/// </summary>
/// <param name="idleBytes">At most this many bytes allocated between two looks is idle.</param>
/// <param name="allocated">The bytes allocated so far when watching starts (after a trim: the start counts as no traffic).</param>
public sealed class IdleWatch(long idleBytes, long allocated)
{
    private long _allocated = allocated;
    private bool _busySinceStopped;

    /// <summary>True when the router was busy until the look before and is idle since.</summary>
    public bool TrafficStopped(long allocatedNow)
    {
        var idle = allocatedNow - _allocated <= idleBytes;
        _allocated = allocatedNow;
        if (!idle)
        {
            _busySinceStopped = true;
            return false;
        }
        var stopped = _busySinceStopped;
        _busySinceStopped = false;
        return stopped;
    }
}
