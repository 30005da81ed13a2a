using Akka.Hosting;

namespace Router.Actors.Serialization;

public static class SerializationHostingExtensions
{
    /// <summary>Binds the router's persisted and cross-node messages to <see cref="RouterJsonSerializer"/> (<see cref="RouterSerialization"/>).</summary>
    public static AkkaConfigurationBuilder AddRouterSerialization(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer(RouterSerialization.SerializerName, RouterSerialization.BoundTypes, RouterSerialization.Create);
}
