using Akka.Actor;
using Akka.Hosting;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;

namespace Router.Actors.Breakers;

/// <summary>
/// Parent of this node's breakers, at the well-known path <c>/user/breakers</c> so that a key's budget
/// actor on any node can forward to the asker's node. Creates a deployment's breaker on first use; each
/// breaker publishes its state to this node's <see cref="DeploymentBoard"/>.
/// </summary>
public sealed class ProviderBreakersActor : ReceiveActor
{
    public const string Name = "breakers";

    public ProviderBreakersActor(BreakerSettings settings, TimeProvider clock, DeploymentBoard board)
    {
        Receive<ProviderBreaker.RequestPermit>(m => BreakerOf(m.DeploymentId, settings, clock, board).Forward(m));
        Receive<ProviderBreaker.ReportOutcome>(m => BreakerOf(m.DeploymentId, settings, clock, board).Forward(m));
        Receive<ProviderBreaker.GetState>(m => BreakerOf(m.DeploymentId, settings, clock, board).Forward(m));
        Receive<ProviderBreaker.Trip>(m => BreakerOf(m.DeploymentId, settings, clock, board).Forward(m));
        Receive<ProviderBreaker.Reset>(m => BreakerOf(m.DeploymentId, settings, clock, board).Forward(m));
    }

    private static IActorRef BreakerOf(string deploymentId, BreakerSettings settings, TimeProvider clock, DeploymentBoard board)
    {
        var name = Uri.EscapeDataString(deploymentId);
        var child = Context.Child(name);
        return child.IsNobody()
            ? Context.ActorOf(ProviderBreakerActor.Props(deploymentId, settings, clock, board), name)
            : child;
    }

    public static Props Props(BreakerSettings settings, TimeProvider clock, DeploymentBoard board) =>
        Akka.Actor.Props.Create(() => new ProviderBreakersActor(settings, clock, board));
}

public static class ProviderBreakersHostingExtensions
{
    /// <param name="board">This node's board, the one the request path reads (the same instance must be registered in DI).</param>
    public static AkkaConfigurationBuilder WithProviderBreakers(this AkkaConfigurationBuilder builder, BreakerSettings settings, DeploymentBoard board) =>
        builder.WithActors((system, registry) =>
            registry.Register<ProviderBreakersActor>(
                system.ActorOf(ProviderBreakersActor.Props(settings, TimeProvider.System, board), ProviderBreakersActor.Name)));
}
