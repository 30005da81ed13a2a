using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Router.Actors.Sharding;

/// <summary>
/// The single-node stand-in for a shard region: one child per entity id, found with the same
/// <see cref="IMessageExtractor"/> that cluster sharding uses, created on first message.
/// </summary>
public sealed class LocalEntityRegionActor : ReceiveActor
{
    /// <summary>Asks which entities are running (for flushing them all on a graceful stop); answered with <see cref="Entities"/>.</summary>
    public sealed record GetEntities
    {
        public static readonly GetEntities Instance = new();
    }

    public sealed record Entities(IReadOnlyList<string> Ids);

    public LocalEntityRegionActor(IMessageExtractor extractor, Func<string, Props> entityProps)
    {
        Receive<GetEntities>(_ => Sender.Tell(new Entities(
            Context.GetChildren().Select(child => Uri.UnescapeDataString(child.Path.Name)).ToList())));
        ReceiveAny(message =>
        {
            var entityId = extractor.EntityId(message);
            if (entityId is null)
            {
                Unhandled(message);
                return;
            }
            var name = Uri.EscapeDataString(entityId);
            var child = Context.Child(name);
            if (child.IsNobody()) child = Context.ActorOf(entityProps(entityId), name);
            child.Forward(extractor.EntityMessage(message));
        });
    }

    public static Props Props(IMessageExtractor extractor, Func<string, Props> entityProps) =>
        Akka.Actor.Props.Create(() => new LocalEntityRegionActor(extractor, entityProps));
}
