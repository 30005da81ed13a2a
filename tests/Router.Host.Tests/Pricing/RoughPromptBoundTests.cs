using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Pricing;

namespace Router.Host.Tests.Pricing;

/// <summary>
/// The rough bound a key's admission tries first (each text as its JSON's bytes) is never below the tokens counted: were it
/// below, a request could reserve less than it may cost. Checked over every shape of prompt the exact bound counts, and over
/// texts where bytes and tokens are closest (digits, one-byte punctuation) or furthest apart (CJK, emoji, escapes).
/// </summary>
public sealed class RoughPromptBoundTests
{
    public static TheoryData<string> Bodies() =>
    [
        """{"messages":[{"role":"user","content":"Hello, how are you today?"}]}""",
        """{"messages":[{"role":"system","content":"!!!!!!!!...;;;;;;1234567890 1234567890"},{"role":"user","name":"bob","content":"a"}]}""",
        """{"messages":[{"role":"user","content":"日本語のテキストと中文文本，还有 emoji 🎉🚀 and \"quotes\" \\ \n\t\u00e9"}]}""",
        """{"messages":[{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}""",
        """{"messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"c1","content":"42"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"response_format":{"type":"json_object"}}""",
        """{"system":[{"type":"text","text":"Be brief."}],"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}""",
        """{"instructions":"Answer in French.","input":[{"role":"user","content":[{"type":"input_text","text":"Bonjour"}]}],"tools":[],"text":{"format":{"type":"text"}}}""",
        """{"prompt":["Say this is a test", [1, 2, 3, 40000]]}""",
        """{"input":"The food was delicious and the waiter was very friendly."}""",
        """{"input":[[100, 200, 300], [1]]}""",
    ];

    [Theory]
    [MemberData(nameof(Bodies))]
    public void The_rough_bound_is_at_or_above_the_tokens(string body)
    {
        var request = JsonSerializer.Deserialize(body, WireJsonContext.Wire.ProxyRequest)!;

        var exact = PromptTokenBound.Count(request, "key-a", new TokenCountMemo());

        Assert.True(exact > 0);
        Assert.InRange(PromptTokenBound.RoughCount(request), exact, int.MaxValue);
    }

    [Fact]
    public void Random_texts_of_any_script_never_count_more_tokens_than_their_rough_bound()
    {
        var random = new Random(24);
        string[] pieces = ["a", "e", "the", " ", "  ", "0", "7", ".", ",", ";", "!", "(", "]", "日", "本", "中", "한", "🎉", "🚀", "\"", "\\", "\n", "\t", "é", "ß", "ñ"];
        for (var i = 0; i < 200; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 400)).Select(_ => pieces[random.Next(pieces.Length)]));
            var request = JsonSerializer.Deserialize(
                JsonSerializer.Serialize(new { model = "m", messages = new[] { new { role = "user", content = text } } }), WireJsonContext.Wire.ProxyRequest)!;

            Assert.InRange(PromptTokenBound.RoughCount(request), PromptTokenBound.Count(request, "key-a", new TokenCountMemo()), int.MaxValue);
        }
    }
}
