using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Router.Actors.Sharding;

/// <summary>
/// The single-node stand-in for a shard region: one child per entity id, found with the same
/// <see cref="IMessageExtractor"/> that cluster sharding uses, created on first message.
/// <para>
/// An entity may ask to stop, as under sharding, with <see cref="Passivate"/>: it is sent the passivation's stop message
/// (so its messages already queued are handled first), and those that arrive for it meanwhile wait here and start a new one.
/// </para>
/// </summary>
public sealed class LocalEntityRegionActor : ReceiveActor
{
    /// <summary>Asks which entities are running (for flushing them all on a graceful stop); answered with <see cref="Entities"/>.</summary>
    public sealed record GetEntities
    {
        public static readonly GetEntities Instance = new();
    }

    public sealed record Entities(IReadOnlyList<string> Ids);

    private readonly IMessageExtractor _extractor;
    private readonly Func<string, Props> _entityProps;
    // Entities passivating, with the messages that arrived for them since (and who sent them).
    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _stopping = [];
    // Each entity's child name, its id escaped for an actor path, made once rather than for every message ("openai:gpt-4o"
    // escapes to a new string); forgotten when the entity passivates.
    private readonly Dictionary<string, string> _childNames = [];

    public LocalEntityRegionActor(IMessageExtractor extractor, Func<string, Props> entityProps)
    {
        _extractor = extractor;
        _entityProps = entityProps;
        Receive<GetEntities>(_ => Sender.Tell(new Entities(
            Context.GetChildren().Select(child => Uri.UnescapeDataString(child.Path.Name)).ToList())));
        Receive<Passivate>(passivate => StartPassivating(Sender, passivate.StopMessage));
        Receive<Terminated>(ended => Passivated(Uri.UnescapeDataString(ended.ActorRef.Path.Name)));
        ReceiveAny(message =>
        {
            var entityId = extractor.EntityId(message);
            if (entityId is null)
            {
                Unhandled(message);
                return;
            }
            Deliver(entityId, extractor.EntityMessage(message) ?? message, Sender);
        });
    }

    private void Deliver(string entityId, object message, IActorRef sender)
    {
        if (_stopping.TryGetValue(entityId, out var waiting))
        {
            waiting.Add((message, sender));
            return;
        }
        var name = ChildName(entityId);
        var child = Context.Child(name);
        if (child.IsNobody()) child = Context.ActorOf(_entityProps(entityId), name);
        child.Tell(message, sender);
    }

    private string ChildName(string entityId)
    {
        if (!_childNames.TryGetValue(entityId, out var name)) _childNames[entityId] = name = Uri.EscapeDataString(entityId);
        return name;
    }

    private void StartPassivating(IActorRef entity, object stopMessage)
    {
        var entityId = Uri.UnescapeDataString(entity.Path.Name);
        // Only from the entity now running: a late request of one already stopped must not stop its successor.
        if (_stopping.ContainsKey(entityId) || !Context.Child(entity.Path.Name).Equals(entity)) return;
        _stopping[entityId] = [];
        Context.Watch(entity);
        entity.Tell(stopMessage);
    }

    private void Passivated(string entityId)
    {
        if (!_stopping.Remove(entityId, out var waiting)) return;
        _childNames.Remove(entityId);
        foreach (var (message, sender) in waiting) Deliver(entityId, message, sender);
    }

    public static Props Props(IMessageExtractor extractor, Func<string, Props> entityProps) =>
        Akka.Actor.Props.Create(() => new LocalEntityRegionActor(extractor, entityProps));
}
