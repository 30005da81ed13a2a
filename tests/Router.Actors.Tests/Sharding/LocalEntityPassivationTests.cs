using Akka.Actor;
using Akka.Cluster.Sharding;
using Router.Actors.Sharding;

namespace Router.Actors.Tests.Sharding;

/// <summary>An entity of the local region asks to stop as under sharding (<see cref="Passivate"/>), and the next message starts a new one.</summary>
public sealed class LocalEntityPassivationTests(ITestOutputHelper output) : Akka.TestKit.Xunit.TestKit("akka.loglevel = WARNING", output: output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record ToEntity(string Id, string Command);

    private sealed class Extractor() : HashCodeMessageExtractor(10)
    {
        public override string? EntityId(object message) => (message as ToEntity)?.Id;

        public override object EntityMessage(object message) => ((ToEntity)message).Command;
    }

    /// <summary>Answers "who" with itself; on "stop" asks its region to stop it, with a stop message of its own.</summary>
    private sealed class Entity : ReceiveActor
    {
        public Entity()
        {
            Receive<string>(command => command == "who", _ => Sender.Tell(Self));
            Receive<string>(command => command == "stop", _ => Context.Parent.Tell(new Passivate("stopped")));
            Receive<string>(command => command == "stopped", _ => Context.Stop(Self));
        }
    }

    private IActorRef NewRegion() => Sys.ActorOf(LocalEntityRegionActor.Props(new Extractor(), _ => Props.Create(() => new Entity())));

    private IActorRef Who(IActorRef region, string id)
    {
        region.Tell(new ToEntity(id, "who"));
        return ExpectMsg<IActorRef>(cancellationToken: Ct);
    }

    [Fact]
    public void A_passivated_entity_is_sent_its_stop_message_and_the_next_message_starts_a_new_one()
    {
        var region = NewRegion();
        var first = Who(region, "a");
        var other = Who(region, "b");
        Watch(first);

        region.Tell(new ToEntity("a", "stop"));

        ExpectTerminated(first, cancellationToken: Ct);
        var second = Who(region, "a");
        Assert.NotEqual(first, second);
        Assert.Equal(first.Path, second.Path);
        Assert.Equal(other, Who(region, "b"));
    }

    [Fact]
    public void A_passivation_that_comes_from_no_running_entity_stops_nothing()
    {
        var region = NewRegion();
        var entity = Who(region, "a");
        Watch(entity);

        region.Tell(new Passivate("stopped"), TestActor);

        ExpectNoMsg(TimeSpan.FromMilliseconds(200), Ct);
        Assert.Equal(entity, Who(region, "a"));
    }
}
