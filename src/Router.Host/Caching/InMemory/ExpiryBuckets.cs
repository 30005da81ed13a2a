using System.Runtime.InteropServices;

namespace Router.Host.Caching.InMemory;

/// <summary>
/// The entries by the second they expire in: one intrusive list per second, so adding and removing an
/// entry is O(1), and finding the expired ones costs the seconds that passed and the entries found, never
/// a walk of the whole store. An entry is collected once its whole second has passed, so up to a second
/// after its expiry; a read checks the exact time itself.
/// </summary>
internal sealed class ExpiryBuckets(DateTimeOffset start)
{
    private readonly Dictionary<long, CacheNode> _firstBySecond = [];
    private long _cursor = start.ToUnixTimeSeconds(); // every second before this one is empty

    public void Add(CacheNode node)
    {
        // An entry already due lands in the first second still to be visited, and leaves with it.
        node.ExpirySecond = Math.Max(node.ExpiresAt.ToUnixTimeSeconds(), _cursor);
        ref var first = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstBySecond, node.ExpirySecond, out _);
        node.NextToExpire = first;
        node.PreviousToExpire = null;
        if (first is not null) first.PreviousToExpire = node;
        first = node;
    }

    public void Remove(CacheNode node)
    {
        if (node.PreviousToExpire is { } previous) previous.NextToExpire = node.NextToExpire;
        else if (node.NextToExpire is { } next) _firstBySecond[node.ExpirySecond] = next;
        else _firstBySecond.Remove(node.ExpirySecond);
        if (node.NextToExpire is { } following) following.PreviousToExpire = node.PreviousToExpire;
        node.NextToExpire = node.PreviousToExpire = null;
    }

    /// <summary>An entry whose whole expiry second is before <paramref name="now"/>'s, or null when none is left.</summary>
    public CacheNode? FirstDue(DateTimeOffset now)
    {
        var nowSecond = now.ToUnixTimeSeconds();
        while (_cursor < nowSecond)
        {
            if (_firstBySecond.TryGetValue(_cursor, out var first)) return first;
            if (_firstBySecond.Count == 0) _cursor = nowSecond;
            // After a quiet spell, jumping to the earliest bucket is cheaper than stepping through every second.
            else if (nowSecond - _cursor > _firstBySecond.Count) _cursor = Math.Min(nowSecond, EarliestSecond());
            else _cursor++;
        }
        return null;
    }

    private long EarliestSecond()
    {
        var earliest = long.MaxValue;
        foreach (var second in _firstBySecond.Keys) earliest = Math.Min(earliest, second);
        return earliest;
    }
}
