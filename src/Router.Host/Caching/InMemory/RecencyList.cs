namespace Router.Host.Caching.InMemory;

/// <summary>The entries from most to least recently used, as an intrusive doubly linked list: every operation O(1).</summary>
internal sealed class RecencyList
{
    public CacheNode? Newest { get; private set; }
    public CacheNode? Oldest { get; private set; }

    public void AddNewest(CacheNode node)
    {
        node.Older = Newest;
        node.Newer = null;
        if (Newest is not null) Newest.Newer = node;
        Newest = node;
        Oldest ??= node;
    }

    public void Remove(CacheNode node)
    {
        if (node.Newer is null) Newest = node.Older; else node.Newer.Older = node.Older;
        if (node.Older is null) Oldest = node.Newer; else node.Older.Newer = node.Newer;
        node.Newer = node.Older = null;
    }

    public void MoveToNewest(CacheNode node)
    {
        if (Newest == node) return;
        Remove(node);
        AddNewest(node);
    }
}
