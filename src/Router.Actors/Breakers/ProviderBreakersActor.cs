using Akka.Actor;
using Akka.Hosting;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;

namespace Router.Actors.Breakers;

/// <summary>
/// Parent of this node's breakers, at the well-known path <c>/user/breakers</c> so that a key's budget
/// actor on any node can forward to the asker's node. Creates a deployment's breaker on first use; each
/// breaker publishes its state to this node's <see cref="DeploymentBoard"/>.
/// <para>
/// A pattern deployment (<c>openrouter/*</c>) has a circuit per model a caller names, so callers decide how
/// many breakers there are. A breaker idle for <c>idleAfter</c> with nothing to remember (closed, no
/// failure counted) asks to stop: its messages already queued are handled first (it stops on a
/// <see cref="PoisonPill"/>), those that arrive meanwhile wait here and start a new one.
/// </para>
/// </summary>
public sealed class ProviderBreakersActor : ReceiveActor
{
    public const string Name = "breakers";

    /// <summary>A breaker with nothing to remember asks its parent to stop it.</summary>
    internal sealed record Passivate(string DeploymentId);

    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _stopping = [];
    private readonly Func<string, Props> _breakerProps;

    public ProviderBreakersActor(BreakerSettings settings, TimeProvider clock, DeploymentBoard board, TimeSpan idleAfter)
    {
        _breakerProps = id => ProviderBreakerActor.Props(id, settings, clock, board, idleAfter);
        Receive<ProviderBreaker.RequestPermit>(m => Deliver(m.DeploymentId, m));
        Receive<ProviderBreaker.ReportOutcome>(m => Deliver(m.DeploymentId, m));
        Receive<ProviderBreaker.GetState>(m => Deliver(m.DeploymentId, m));
        Receive<ProviderBreaker.Trip>(m => Deliver(m.DeploymentId, m));
        Receive<ProviderBreaker.Reset>(m => Deliver(m.DeploymentId, m));
        Receive<Passivate>(m =>
        {
            // Only from the breaker now running: a late request of one already stopped must not stop its successor.
            var child = Context.Child(ChildName(m.DeploymentId));
            if (_stopping.ContainsKey(m.DeploymentId) || child.IsNobody() || !child.Equals(Sender)) return;
            _stopping[m.DeploymentId] = [];
            Context.Watch(child);
            child.Tell(PoisonPill.Instance);
        });
        Receive<Terminated>(t =>
        {
            var id = Uri.UnescapeDataString(t.ActorRef.Path.Name);
            if (!_stopping.Remove(id, out var waiting)) return;
            foreach (var (message, sender) in waiting) Deliver(id, message, sender);
        });
    }

    private void Deliver(string deploymentId, object message, IActorRef? sender = null)
    {
        sender ??= Sender;
        if (_stopping.TryGetValue(deploymentId, out var waiting))
        {
            waiting.Add((message, sender));
            return;
        }
        var name = ChildName(deploymentId);
        var child = Context.Child(name);
        if (child.IsNobody()) child = Context.ActorOf(_breakerProps(deploymentId), name);
        child.Tell(message, sender);
    }

    private static string ChildName(string deploymentId) => Uri.EscapeDataString(deploymentId);

    /// <param name="idleAfter">How long a breaker with nothing to remember lives without a message.</param>
    public static Props Props(BreakerSettings settings, TimeProvider clock, DeploymentBoard board, TimeSpan? idleAfter = null) =>
        Akka.Actor.Props.Create(() => new ProviderBreakersActor(settings, clock, board, idleAfter ?? DefaultIdleAfter));

    public static readonly TimeSpan DefaultIdleAfter = BreakerSettings.DefaultIdleAfter;
}

public static class ProviderBreakersHostingExtensions
{
    /// <param name="board">This node's board, the one the request path reads (the same instance must be registered in DI).</param>
    public static AkkaConfigurationBuilder WithProviderBreakers(this AkkaConfigurationBuilder builder, BreakerSettings settings, DeploymentBoard board) =>
        builder.WithActors((system, registry) =>
            registry.Register<ProviderBreakersActor>(
                system.ActorOf(ProviderBreakersActor.Props(settings, TimeProvider.System, board, settings.IdleAfter), ProviderBreakersActor.Name)));
}
