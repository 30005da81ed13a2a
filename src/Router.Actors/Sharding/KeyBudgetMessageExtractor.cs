using Akka.Cluster.Sharding;
using Router.Contracts.Messages;

namespace Router.Actors.Sharding;

/// <summary>
/// Places a key's budget actor by its key id. The same extractor drives the local region of the single
/// node and cluster sharding of the pair, so the actor's logic does not know which one it runs under.
/// </summary>
public sealed class KeyBudgetMessageExtractor(int maxShards = 100) : HashCodeMessageExtractor(maxShards)
{
    // Sharding unwraps its own envelopes before asking; only the router's messages reach here.
    public override string? EntityId(object message) => (message as IKeyBudgetMessage)?.KeyId;
}
