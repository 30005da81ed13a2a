namespace Router.Host.Memory;

/// <summary>
/// Tells, from how many bytes the process had allocated at each look, when its traffic has stopped after a busy while: once
/// per busy while, at the look that completes <c>quietLooks</c> idle looks in a row since it (see <see cref="MemoryTrim"/>).
/// </summary>
/// <param name="idleBytes">At most this many bytes allocated between two looks is idle.</param>
/// <param name="quietLooks">How many idle looks in a row stop a busy while: short looks, each of a little quiet, tell soon
/// after traffic stops and still not in a pause between a client's requests.</param>
/// <param name="allocated">The bytes allocated so far when watching starts (after a trim: the start counts as no traffic).</param>
public sealed class IdleWatch(long idleBytes, int quietLooks, long allocated)
{
    private long _allocated = allocated;
    private bool _busySinceStopped;
    private int _quietInARow;

    /// <summary>True when the router was busy until <c>quietLooks</c> looks ago and has been idle at each look since.</summary>
    public bool TrafficStopped(long allocatedNow)
    {
        var idle = allocatedNow - _allocated <= idleBytes;
        _allocated = allocatedNow;
        if (!idle)
        {
            _busySinceStopped = true;
            _quietInARow = 0;
            return false;
        }
        if (!_busySinceStopped || ++_quietInARow < quietLooks) return false;
        _busySinceStopped = false;
        return true;
    }
}
