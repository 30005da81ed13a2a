using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Caching;

namespace Router.Host.Tests.Caching;

public sealed class CacheKeysTests
{
    private const string Base =
        """{"model":"gpt-4o","temperature":0.2,"messages":[{"role":"user","content":"Hi \u00e9"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}}]}""";

    private static ProxyRequest Parse(string json) => JsonSerializer.Deserialize(json, WireJsonContext.Default.ProxyRequest)!;

    private static CacheEntryKey Key(
        string json, string ns = "default", string model = "gpt-4o", string operation = "chat", string provider = "openai", string? owner = "key-a") =>
        CacheKeys.For(ns, owner, provider, model, operation, Parse(json));

    [Fact]
    public void The_key_names_namespace_and_routed_model_and_a_hex_hash()
    {
        var key = Key(Base, ns: "team", model: "openai/gpt-4o");

        Assert.Equal("team", key.Namespace);
        Assert.Equal("openai/gpt-4o", key.Model);
        Assert.Matches("^[0-9a-f]{64}$", key.Hash);
        Assert.Equal(key.Hash, key.Id);
        Assert.Equal(key, Key(Base, ns: "team", model: "openai/gpt-4o"));
    }

    [Fact]
    public void Field_order_and_string_escapes_do_not_matter_at_any_depth()
    {
        const string reordered =
            """{"tools":[{"function":{"parameters":{"properties":{"a":{"type":"string"}},"type":"object"},"name":"f"},"type":"function"}],"messages":[{"content":"Hi é","role":"user"}],"temperature":0.2,"model":"gpt-4o"}""";

        Assert.Equal(Key(Base).Hash, Key(reordered).Hash);
    }

    [Theory]
    [InlineData(""","user":"alice" """)]
    [InlineData(""","stream":true""")]
    [InlineData(""","stream":true,"stream_options":{"include_usage":true}""")]
    [InlineData(""","metadata":{"trace":"42"}""")]
    [InlineData(""","model":"something-else" """)]
    public void Fields_that_do_not_change_the_answer_do_not_change_the_hash(string extra)
    {
        var json = Base[..^1] + extra.Trim() + "}";

        Assert.Equal(Key(Base).Hash, Key(json).Hash);
    }

    [Theory]
    [InlineData("temperature", "0.3")]
    [InlineData("messages", """[{"role":"user","content":"Hi"}]""")]
    [InlineData("tools", "[]")]
    [InlineData("seed", "7")]
    [InlineData("n", "2")]
    public void Fields_that_change_the_answer_change_the_hash(string field, string value)
    {
        using var document = JsonDocument.Parse(Base);
        var fields = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        fields[field] = value;
        var json = "{" + string.Join(",", fields.Select(p => $"\"{p.Key}\":{p.Value}")) + "}";

        Assert.NotEqual(Key(Base).Hash, Key(json).Hash);
    }

    [Fact]
    public void Provider_routed_model_namespace_and_operation_change_the_key()
    {
        var basis = Key(Base);

        // ollama/gpt-4o and OpenAI's gpt-4o both send "gpt-4o" upstream: never one answer for both.
        Assert.NotEqual(basis.Hash, Key(Base, provider: "ollama").Hash);

        Assert.NotEqual(basis.Hash, Key(Base, model: "gpt-4o-mini").Hash);
        Assert.NotEqual(basis.Hash, Key(Base, ns: "team").Hash);
        Assert.NotEqual(basis.Hash, Key(Base, operation: "completions").Hash);
        Assert.NotEqual(basis.Hash, Key(Base, operation: "embeddings").Hash);
        Assert.NotEqual(basis, Key(Base, ns: "team"));
    }

    [Fact]
    public void Each_key_has_its_own_entry_and_a_shared_one_is_none_of_theirs()
    {
        var own = Key(Base, owner: "key-a");

        Assert.NotEqual(own.Hash, Key(Base, owner: "key-b").Hash);
        Assert.NotEqual(own.Hash, Key(Base, owner: null).Hash);
        // Whoever sends it, a shared namespace's entry is one.
        Assert.Equal(Key(Base, ns: "team", owner: null), Key(Base, ns: "team", owner: null));
        // A key whose id is empty (none is) still could not reach the shared entry.
        Assert.NotEqual(Key(Base, owner: "").Hash, Key(Base, owner: null).Hash);
        // The owner is in the hash only: a flush by namespace or model still finds every key's entries.
        Assert.Equal((own.Namespace, own.Model), (Key(Base, owner: "key-b").Namespace, Key(Base, owner: "key-b").Model));
    }

    [Fact]
    public void An_empty_namespace_is_the_default_one()
    {
        Assert.Equal(Key(Base), Key(Base, ns: ""));
        Assert.Equal("default", Key(Base, ns: "").Namespace);
    }

    [Theory]
    // What the version before keys were written from the request's bytes gave: an upgraded router finds what a shared cache holds.
    [InlineData(Base, "b01fe01751a5aa1fcc40725d766fe327051916535a6a1781de22d530dfb9c124")]
    [InlineData("""{"messages":[{"role":"user","content":"tab\there \"quoted\" \\ <b>&amp; \u2028 \ud83d\ude00 😀 \u0000"}],"n":1e2,"x":[true,null,-0.5]}""",
        "d66225f36c995360a479c1f33ee11c843f6726e48d9531f20cac4b49edf40377")]
    public void A_request_s_hash_is_the_one_earlier_versions_gave_it(string json, string hash) => Assert.Equal(hash, Key(json).Hash);

    [Fact]
    public void A_long_conversation_s_key_costs_a_small_part_of_its_text_in_memory()
    {
        var text = new string('x', 5_000);
        var messages = string.Join(",", Enumerable.Range(0, 20).Select(i => $$"""{"role":"{{(i % 2 == 0 ? "user" : "assistant")}}","content":"{{text}} {{i}}"}"""));
        var request = Parse($$"""{"model":"gpt-4o","messages":[{{messages}}]}""");
        CacheKeys.For("default", "key-a", "openai", "gpt-4o", "chat", request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        CacheKeys.For("default", "key-a", "openai", "gpt-4o", "chat", request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Its strings are not decoded into strings of their own (206,880 bytes here when they were; 2,960 since).
        Assert.True(allocated < 10_000, $"{allocated} bytes for the key of a conversation of 100,000 characters");
    }
}
