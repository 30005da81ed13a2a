using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Router.Actors.Serialization;

namespace Router.Actors.Tests;

/// <summary>A test's actor system as the host builds it: its own settings, and the router's serializer registered in code.</summary>
public static class RouterTestSystem
{
    public static ActorSystemSetup Setup(Config config) => BootstrapSetup.Create().WithConfig(config).And(RouterSerialization.Setup());
}
