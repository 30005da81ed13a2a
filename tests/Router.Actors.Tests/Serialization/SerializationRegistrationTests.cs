using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Router.Actors.Serialization;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.Serialization;

/// <summary>
/// The registration the host makes (<see cref="SerializationHostingExtensions.AddRouterSerialization"/>), through Akka.Hosting
/// as the host runs it: every persisted message goes through the router's serializer, under its fixed id (journals hold it).
/// </summary>
public sealed class SerializationRegistrationTests
{
    [Fact]
    public async Task The_hosted_actor_system_binds_every_persisted_message_to_the_router_serializer()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("serialization-registration", akka => akka
            .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
            .WithStrictSerialization()
            .AddRouterSerialization());
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var persisted = typeof(IPersistedMessage).Assembly.GetTypes()
                .Where(t => typeof(IPersistedMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
                .ToList();

            Assert.NotEmpty(persisted);
            foreach (var type in persisted)
            {
                var serializer = system.Serialization.FindSerializerForType(type);
                Assert.IsType<RouterJsonSerializer>(serializer);
                Assert.Equal(4100, serializer.Identifier);
            }
        }
        finally
        {
            await host.StopAsync(TestContext.Current.CancellationToken);
        }
    }
}
