using Akka.Cluster.Sharding;
using Router.Contracts.Messages;

namespace Router.Actors.Sharding;

/// <summary>Places a deployment's breaker by its deployment id, in this node's region of breakers.</summary>
public sealed class ProviderBreakerMessageExtractor(int maxShards = 100) : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => (message as IProviderBreakerMessage)?.DeploymentId;
}
