using Akka.Actor;
using Akka.Event;
using Router.Actors.Tests.KeyBudgets;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.Sharding;

public sealed class LocalEntityRegionTests(ITestOutputHelper output) : KeyBudgetTestKit(output)
{
    [Fact]
    public void Each_key_has_its_own_entity()
    {
        var region = NewRegion();
        Provision(region, "key-a", "ollama/*");

        region.Tell(AdmitOf("key-b", "r1", "ollama/llama3", "ollama:ollama/*"));

        var refused = ExpectMsg<KeyBudget.Refused>(cancellationToken: Ct);
        Assert.Equal(("key-b", RefusalReason.UnknownKey), (refused.KeyId, refused.Reason));
    }

    [Fact]
    public void Messages_for_one_key_reach_the_same_entity()
    {
        var region = NewRegion();
        Provision(region, "key-a", "ollama/*");

        Assert.Equal(["ollama/*"], StateOf(region, "key-a").Policy?.AllowedModels);
    }

    [Theory]
    [InlineData("team/alice")]
    [InlineData("key with spaces & symbols?#%")]
    [InlineData("ключ")]
    public void Key_ids_that_are_not_valid_actor_names_still_get_an_entity(string keyId)
    {
        var region = NewRegion();
        Provision(region, keyId, "*");

        Assert.Equal(keyId, StateOf(region, keyId).KeyId);
    }

    [Fact]
    public void A_message_that_names_no_key_is_unhandled()
    {
        var region = NewRegion();
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));

        region.Tell("not a key budget message");

        var unhandled = ExpectMsg<UnhandledMessage>(cancellationToken: Ct);
        Assert.Equal("not a key budget message", unhandled.Message);
        Assert.Equal(region, unhandled.Recipient);
    }
}
