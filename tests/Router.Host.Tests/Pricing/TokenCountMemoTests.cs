using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Pricing;

namespace Router.Host.Tests.Pricing;

/// <summary>
/// A key's reservation counts every prompt token; an agent resends its long conversation every turn, so a long text's count
/// is kept per key and looked up. A kept count must be the text's own: never another text's, another key's, or the count of
/// the same characters read another way.
/// </summary>
public sealed class TokenCountMemoTests
{
    // About 3 KB, well over TokenCountMemo.MinimumBytes.
    private static readonly string Long = string.Concat(Enumerable.Range(0, 120).Select(i => $"line {i} of the file we read; "));

    private static ProxyRequest Request(params object[] messages) => JsonSerializer.Deserialize(
        JsonSerializer.Serialize(new { model = "m", messages }), WireJsonContext.Wire.ProxyRequest)!;

    private static ProxyRequest Conversation(int turns) =>
        Request(Enumerable.Range(0, turns).Select(turn => (object)new { role = turn % 2 == 0 ? "user" : "assistant", content = $"turn {turn}: {Long}" }).ToArray());

    private static int Fresh(ProxyRequest request) => PromptTokenBound.Count(request, "key-a", new TokenCountMemo());

    [Fact]
    public void A_conversation_sent_again_with_a_new_turn_counts_only_the_new_turn_and_comes_to_the_same_bound()
    {
        var memo = new TokenCountMemo();
        Assert.Equal(Fresh(Conversation(4)), PromptTokenBound.Count(Conversation(4), "key-a", memo));
        Assert.Equal((0, 4), (memo.Hits, memo.Misses));

        Assert.Equal(Fresh(Conversation(5)), PromptTokenBound.Count(Conversation(5), "key-a", memo));
        Assert.Equal((4, 5), (memo.Hits, memo.Misses));
    }

    [Fact]
    public void A_text_of_the_same_length_with_other_words_is_counted_for_itself()
    {
        var memo = new TokenCountMemo();
        var spaced = Long.Replace("file we read", "f i l e w er");
        Assert.Equal(Long.Length, spaced.Length);
        var first = PromptTokenBound.Count(Request(new { role = "user", content = Long }), "key-a", memo);
        var second = PromptTokenBound.Count(Request(new { role = "user", content = spaced }), "key-a", memo);
        Assert.NotEqual(first, second);
        Assert.Equal(Fresh(Request(new { role = "user", content = spaced })), second);
        Assert.Equal((0, 2), (memo.Hits, memo.Misses));
    }

    [Fact]
    public void Another_key_sending_the_same_text_finds_nothing_kept_for_it()
    {
        var memo = new TokenCountMemo();
        PromptTokenBound.Count(Conversation(2), "key-a", memo);
        PromptTokenBound.Count(Conversation(2), "key-b", memo);
        Assert.Equal((0, 4), (memo.Hits, memo.Misses));
    }

    [Fact]
    public void A_text_as_a_value_and_the_same_text_as_json_are_kept_apart()
    {
        var asContent = Request(new { role = "user", content = Long });
        var asArguments = Request(new { role = "assistant", function_call = Long }); // read back as its JSON, quotes and all
        Assert.NotEqual(Fresh(asContent), Fresh(asArguments));

        var memo = new TokenCountMemo();
        PromptTokenBound.Count(asContent, "key-a", memo);
        Assert.Equal(Fresh(asArguments), PromptTokenBound.Count(asArguments, "key-a", memo));
        Assert.Equal((0, 2), (memo.Hits, memo.Misses));
    }

    [Fact]
    public void Short_texts_are_counted_each_time_and_never_kept()
    {
        var memo = new TokenCountMemo();
        var request = Request(new { role = "user", content = "How many moons does Jupiter have?" });
        Assert.Equal(PromptTokenBound.Count(request, "key-a", memo), PromptTokenBound.Count(request, "key-a", memo));
        Assert.Equal((0, 0), (memo.Hits, memo.Misses));
    }

    private static object[] AgentItems(int turns) => Enumerable.Range(0, turns).SelectMany(turn => new object[]
    {
        new { type = "message", role = "user", content = new[] { new { type = "input_text", text = $"turn {turn}: read the file" } } },
        new { type = "function_call", call_id = $"call-{turn}", name = "read_file", arguments = $$"""{"path":"src/file{{turn}}.cs"}""" },
        new { type = "function_call_output", call_id = $"call-{turn}", output = $"turn {turn}: {Long}" },
    }).ToArray();

    private static ProxyRequest Responses(object[] input) => JsonSerializer.Deserialize(
        JsonSerializer.Serialize(new { model = "m", input }), WireJsonContext.Wire.ProxyRequest)!;

    [Fact]
    public void Responses_items_counted_one_by_one_come_to_at_least_the_array_counted_whole()
    {
        var request = Responses(AgentItems(6));
        var whole = TokenCounter.CountTokens(request.Field("input")!.Value.GetRawText()) + 3; // and the reply primed
        Assert.InRange(Fresh(request), whole, whole + 2 * 3 * 6 + 1); // a bracket or comma, and an edge split, an item at most
    }

    [Fact]
    public void Responses_items_sent_again_with_a_new_turn_count_only_the_new_long_item()
    {
        var memo = new TokenCountMemo();
        Assert.Equal(Fresh(Responses(AgentItems(3))), PromptTokenBound.Count(Responses(AgentItems(3)), "key-a", memo));
        Assert.Equal((0, 3), (memo.Hits, memo.Misses));
        Assert.Equal(Fresh(Responses(AgentItems(4))), PromptTokenBound.Count(Responses(AgentItems(4)), "key-a", memo));
        Assert.Equal((3, 4), (memo.Hits, memo.Misses));
    }
}
