using System.Collections.Concurrent;

namespace Router.Host.Auth;

/// <summary>
/// The keys charged on this node, or whose policy changed here, since the alert sampler last looked: the only
/// keys whose budget share can have risen. The sampler asks just their actors, which are awake anyway, instead
/// of waking every key's actor every sample. Marking is one dictionary write per key between two samples.
/// </summary>
public sealed class ChargedKeys
{
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.Ordinal);

    /// <summary>Call after the charge or change was sent to the key's actor, so that an ask after <see cref="Take"/> finds it.</summary>
    public void Mark(string keyId) => _keys.TryAdd(keyId, 0);

    /// <summary>The keys marked since the last call, and forgets them; a key marked while this runs is kept for the next.</summary>
    public IReadOnlyList<string> Take()
    {
        List<string> taken = [];
        foreach (var keyId in _keys.Keys)
            if (_keys.TryRemove(keyId, out _)) taken.Add(keyId);
        return taken;
    }

    /// <summary>Marks the keys again (their actors did not answer this time), for the next sample.</summary>
    public void Restore(IEnumerable<string> keyIds)
    {
        foreach (var keyId in keyIds) Mark(keyId);
    }
}
