using Akka.Actor;
using Akka.Hosting;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;

namespace Router.Actors.Breakers;

/// <summary>
/// Parent of this node's breakers, at the well-known path <c>/user/breakers</c> so that a key's budget
/// actor on any node can forward to the asker's node. Creates a deployment's breaker on first use.
/// </summary>
public sealed class ProviderBreakersActor : ReceiveActor
{
    public const string Name = "breakers";

    public ProviderBreakersActor(BreakerSettings settings, TimeProvider clock)
    {
        Receive<ProviderBreaker.RequestPermit>(m => BreakerOf(m.DeploymentId, settings, clock).Forward(m));
        Receive<ProviderBreaker.ReportOutcome>(m => BreakerOf(m.DeploymentId, settings, clock).Forward(m));
        Receive<ProviderBreaker.GetState>(m => BreakerOf(m.DeploymentId, settings, clock).Forward(m));
    }

    private static IActorRef BreakerOf(string deploymentId, BreakerSettings settings, TimeProvider clock)
    {
        var name = Uri.EscapeDataString(deploymentId);
        var child = Context.Child(name);
        return child.IsNobody()
            ? Context.ActorOf(ProviderBreakerActor.Props(deploymentId, settings, clock), name)
            : child;
    }

    public static Props Props(BreakerSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new ProviderBreakersActor(settings, clock));
}

public static class ProviderBreakersHostingExtensions
{
    public static AkkaConfigurationBuilder WithProviderBreakers(this AkkaConfigurationBuilder builder, BreakerSettings settings) =>
        builder.WithActors((system, registry) =>
            registry.Register<ProviderBreakersActor>(
                system.ActorOf(ProviderBreakersActor.Props(settings, TimeProvider.System), ProviderBreakersActor.Name)));
}
