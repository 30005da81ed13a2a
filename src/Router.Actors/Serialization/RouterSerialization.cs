using System.Collections.Immutable;
using Akka.Actor;
using Akka.Serialization;
using Router.Contracts.Messages;

namespace Router.Actors.Serialization;

/// <summary>
/// The router's one serializer registration: <see cref="RouterJsonSerializer"/> bound to every <see cref="IPersistedMessage"/>.
/// It is declared here once, in code, so the host (<see cref="SerializationHostingExtensions.AddRouterSerialization"/>) and the
/// tests that build an actor system by hand (<see cref="Setup"/>) cannot bind the journal's messages differently.
/// </summary>
public static class RouterSerialization
{
    /// <summary>The serializer's name in the actor system's configuration.</summary>
    public const string SerializerName = "router-json";

    public static readonly ImmutableHashSet<Type> BoundTypes = [typeof(IPersistedMessage)];

    public static Serializer Create(ExtendedActorSystem system) => new RouterJsonSerializer(system);

    /// <summary>The registration as an actor system setup, for an actor system started without Akka.Hosting.</summary>
    public static SerializationSetup Setup() =>
        SerializationSetup.Create(system => [SerializerDetails.Create(SerializerName, Create(system), BoundTypes)]);
}
