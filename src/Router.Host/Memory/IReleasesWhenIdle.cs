namespace Router.Host.Memory;

/// <summary>
/// Keeps memory ready for traffic (a pool of buffers) and lets it go when traffic stops: <see cref="MemoryTrim"/> asks before its
/// collection, which cannot give back a region of the heap that a kept buffer holds on to.
/// </summary>
public interface IReleasesWhenIdle
{
    void ReleaseIdleMemory();
}
