using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Router.Actors.Sharding;

/// <summary>
/// The single-node stand-in for a shard region: one child per entity id, found with the same
/// <see cref="IMessageExtractor"/> that cluster sharding uses, created on first message.
/// </summary>
public sealed class LocalEntityRegionActor : ReceiveActor
{
    public LocalEntityRegionActor(IMessageExtractor extractor, Func<string, Props> entityProps)
    {
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
