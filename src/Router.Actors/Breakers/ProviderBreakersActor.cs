using Akka.Actor;
using Akka.Hosting;
using Router.Actors.Sharding;
using Router.Contracts.Configuration;

namespace Router.Actors.Breakers;

/// <summary>
/// This node's breakers, at the well-known path <c>/user/breakers</c> so that a key's budget actor on any node can
/// forward to the asker's node: a <see cref="LocalEntityRegionActor"/> with one <see cref="ProviderBreakerActor"/> per
/// deployment, created on first use; each breaker publishes its state to this node's <see cref="DeploymentBoard"/>.
/// This type only names the region (its props, its path, its entry in the actor registry); it is never instantiated.
/// <para>
/// A pattern deployment (<c>openrouter/*</c>) has a circuit per model a caller names, so callers decide how
/// many breakers there are. A breaker idle for <c>idleAfter</c> with nothing to remember (closed, no
/// failure counted) passivates: the region stops it once its queued messages are handled, and starts a new one
/// for those that arrive meanwhile.
/// </para>
/// </summary>
public sealed class ProviderBreakersActor
{
    public const string Name = "breakers";

    public static readonly TimeSpan DefaultIdleAfter = BreakerSettings.DefaultIdleAfter;

    private ProviderBreakersActor()
    {
    }

    /// <param name="idleAfter">How long a breaker with nothing to remember lives without a message.</param>
    public static Props Props(BreakerSettings settings, TimeProvider clock, DeploymentBoard board, TimeSpan? idleAfter = null) =>
        LocalEntityRegionActor.Props(new ProviderBreakerMessageExtractor(),
            id => ProviderBreakerActor.Props(id, settings, clock, board, idleAfter ?? DefaultIdleAfter));
}

public static class ProviderBreakersHostingExtensions
{
    /// <param name="board">This node's board, the one the request path reads (the same instance must be registered in DI).</param>
    public static AkkaConfigurationBuilder WithProviderBreakers(this AkkaConfigurationBuilder builder, BreakerSettings settings, DeploymentBoard board) =>
        builder.WithActors((system, registry) =>
            registry.Register<ProviderBreakersActor>(
                system.ActorOf(ProviderBreakersActor.Props(settings, TimeProvider.System, board, settings.IdleAfter), ProviderBreakersActor.Name)));
}
