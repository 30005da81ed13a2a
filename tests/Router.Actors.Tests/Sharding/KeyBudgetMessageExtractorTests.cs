using Router.Actors.Sharding;
using Router.Contracts.Messages;
using Router.Contracts.Wire;

namespace Router.Actors.Tests.Sharding;

public sealed class KeyBudgetMessageExtractorTests
{
    private readonly KeyBudgetMessageExtractor _extractor = new(maxShards: 10);

    public static TheoryData<object> KeyBudgetMessages() =>
    [
        new KeyBudget.Provision("key-a", new KeyPolicy("hash", "sk-", ["*"])),
        new KeyBudget.Admit("key-a", "r1", "gpt-4o", "openai:gpt-*", "hash"),
        new KeyBudget.Delete("key-a"),
        new KeyBudget.Flush("key-a"),
        new KeyBudget.Settle("key-a", "r1", "gpt-4o", TokenUsage.None),
        new KeyBudget.GetState("key-a"),
    ];

    [Theory]
    [MemberData(nameof(KeyBudgetMessages))]
    public void Every_key_budget_message_is_placed_by_its_key_id(object message) =>
        Assert.Equal("key-a", _extractor.EntityId(message));

    [Fact]
    public void Other_messages_have_no_entity() =>
        Assert.Null(_extractor.EntityId(new ProviderBreaker.GetState("openai:gpt-*")));

    [Fact]
    public void The_entity_receives_the_message_itself()
    {
        var message = new KeyBudget.GetState("key-a");

        Assert.Same(message, _extractor.EntityMessage(message));
    }

    [Fact]
    public void Messages_for_one_key_land_on_one_shard_within_the_shard_count()
    {
        var shards = KeyBudgetMessages().Select(row => _extractor.ShardId(_extractor.EntityId(row.Data)!, row.Data)).Distinct().ToList();

        var shard = Assert.Single(shards);
        Assert.InRange(int.Parse(shard!, System.Globalization.CultureInfo.InvariantCulture), 0, 9);
    }
}
