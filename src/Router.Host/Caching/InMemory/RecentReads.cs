namespace Router.Host.Caching.InMemory;

/// <summary>
/// The hits not yet applied to the recency order. A hit only writes its entry into a slot of its thread's
/// stripe, with no lock; the store replays the slots in the order of the hits under its eviction lock, on
/// the next write or once a stripe has taken a round of hits. The buffer is lossy on purpose: a slot
/// overwritten before it was replayed loses that hit's move to the front, never an entry.
/// </summary>
internal sealed class RecentReads
{
    private const int SlotsPerStripe = 16; // a power of two

    private sealed class Stripe
    {
        public readonly CacheNode?[] Slots = new CacheNode?[SlotsPerStripe];
        public int Written;
    }

    private readonly Stripe[] _stripes;
    private readonly int _stripeMask;

    public RecentReads()
    {
        var stripes = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount * 4);
        _stripes = new Stripe[stripes];
        for (var i = 0; i < stripes; i++) _stripes[i] = new Stripe();
        _stripeMask = stripes - 1;
    }

    /// <summary>Notes a hit; true when its stripe has just filled a round, a good moment to replay.</summary>
    public bool Record(CacheNode node)
    {
        var stripe = _stripes[Environment.CurrentManagedThreadId & _stripeMask];
        var written = Interlocked.Increment(ref stripe.Written);
        Volatile.Write(ref stripe.Slots[written & (SlotsPerStripe - 1)], node);
        return (written & (SlotsPerStripe - 1)) == 0;
    }

    /// <summary>
    /// Takes every noted hit into <paramref name="into"/>, oldest hit first. Each is sorted by the time read
    /// as it was taken: a hit may move an entry's time while the sort runs.
    /// </summary>
    public void Drain(List<(long ReadAt, CacheNode Node)> into)
    {
        foreach (var stripe in _stripes)
            for (var i = 0; i < SlotsPerStripe; i++)
                if (Volatile.Read(ref stripe.Slots[i]) is not null && Interlocked.Exchange(ref stripe.Slots[i], null) is { } node)
                    into.Add((Volatile.Read(ref node.LastRead), node));
        into.Sort(static (a, b) => a.ReadAt.CompareTo(b.ReadAt));
    }
}
