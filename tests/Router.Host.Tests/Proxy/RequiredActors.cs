using Akka.Actor;
using Akka.Hosting;

namespace Router.Host.Tests.Proxy;

/// <summary>An actor handed to the code under test as Akka.Hosting hands it in the router: through the actor registry.</summary>
public static class RequiredActors
{
    public static IRequiredActor<TKey> Of<TKey>(IActorRef actor)
    {
        var registry = new ActorRegistry();
        registry.Register<TKey>(actor);
        return new RequiredActor<TKey>(registry);
    }
}
