using System.Text;
using System.Text.Json;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Pricing;
using Router.Host.Routing;

namespace Router.Host.Tests.Routing;

public sealed class ContextWindowsTests
{
    private static readonly ProviderTimeouts Timeouts =
        new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600));

    private static readonly Dictionary<string, ProviderSettings> Providers = new()
    {
        ["openai"] = Provider("openai", ProviderType.OpenAi),
        ["google"] = Provider("google", ProviderType.Gemini),
        ["local"] = Provider("local", ProviderType.OpenAiCompatible),
    };

    private static readonly ContextWindows Shipped = new(ModelCatalog.LoadShipped(), Providers);

    private static readonly ContextWindows Small =
        new(ModelCatalog.Parse(new MemoryStream("""{ "tiny": { "max_input_tokens": 50 } }"""u8.ToArray())), Providers);

    private static ProviderSettings Provider(string name, ProviderType type) =>
        new(name, type, new Uri($"http://{name}/v1"), "k", false, new Dictionary<string, string>(), Timeouts);

    private static Deployment On(string provider, int? maxInputTokens = null) =>
        new($"{provider}:m", "m", provider, null) { MaxInputTokens = maxInputTokens };

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static ProxyRequest Request(JsonElement messages) => new() { Model = "m", Rest = new() { ["messages"] = messages } };

    private static JsonElement UserSays(string text) =>
        JsonSerializer.SerializeToElement(new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = text } });

    private static readonly string Chatter = string.Concat(Enumerable.Repeat("hello world ", 100));

    [Fact]
    public void The_shipped_table_gives_gpt_4o_mini_128000_tokens() =>
        Assert.Equal(128000, Shipped.LimitOf(On("openai"), "gpt-4o-mini"));

    [Fact]
    public void A_gemini_provider_finds_its_models_under_the_gemini_prefix_whatever_its_name() =>
        Assert.True(Shipped.LimitOf(On("google"), "gemini-2.5-flash") >= 1_000_000);

    [Fact]
    public void The_deployments_max_input_tokens_wins_over_the_table() =>
        Assert.Equal(8000, Shipped.LimitOf(On("openai", maxInputTokens: 8000), "gpt-4o-mini"));

    [Fact]
    public void A_model_the_table_does_not_know_has_no_limit()
    {
        Assert.Null(Shipped.LimitOf(On("local"), "my-finetune"));
        Assert.False(Shipped.Exceeds(Request(UserSays(Chatter)), "key-windows", On("local"), "my-finetune"));
    }

    [Fact]
    public void A_prompt_with_fewer_bytes_than_the_limit_fits_without_counting_tokens()
    {
        // Three empty messages: 10 bytes, though counting would charge 4 tokens of framing each (12).
        var messages = Json("[{},{},{}]");
        Assert.Equal(12, TokenCounter.CountTokens(messages));

        Assert.False(Shipped.Exceeds(Request(messages), "key-windows", On("local", maxInputTokens: 10), "m"));
    }

    [Fact]
    public void A_short_prompt_fits_a_small_limit() =>
        Assert.False(Small.Exceeds(Request(UserSays("hi")), "key-windows", On("local"), "tiny"));

    [Fact]
    public void A_long_prompt_over_a_small_limit_exceeds_it() =>
        Assert.True(Small.Exceeds(Request(UserSays(Chatter)), "key-windows", On("local"), "tiny"));

    [Fact]
    public void A_prompt_with_more_bytes_than_the_limit_but_fewer_tokens_fits()
    {
        var messages = UserSays(Chatter);
        Assert.True(Encoding.UTF8.GetByteCount(messages.GetRawText()) > 1000);

        Assert.False(Shipped.Exceeds(Request(messages), "key-windows", On("local", maxInputTokens: 1000), "m"));
    }

    [Fact]
    public void A_long_prompt_checked_again_is_judged_alike_from_the_counts_kept_for_its_key()
    {
        var memo = new TokenCountMemo();
        var windows = new ContextWindows(ModelCatalog.Parse(new MemoryStream("""{ "tiny": { "max_input_tokens": 50 } }"""u8.ToArray())), Providers, memo);
        var request = Request(UserSays(Chatter));
        Assert.True(windows.Exceeds(request, "key-windows", On("local"), "tiny"));
        Assert.True(windows.Exceeds(request, "key-windows", On("local"), "tiny"));
        Assert.Equal((1, 1), (memo.Hits, memo.Misses));
        Assert.True(windows.Exceeds(request, "another-key", On("local"), "tiny"));
        Assert.Equal((1, 2), (memo.Hits, memo.Misses));
    }

    [Fact]
    public void A_request_without_messages_never_exceeds() =>
        Assert.False(Small.Exceeds(new ProxyRequest { Model = "m" }, "key-windows", On("local"), "tiny"));

    [Fact]
    public void Counting_a_string_content_gives_a_plausible_number_of_tokens() =>
        Assert.InRange(TokenCounter.CountTokens(UserSays(Chatter)), 150, 400);

    [Fact]
    public void Text_parts_count_like_the_same_text_as_a_string()
    {
        var parts = Json($$"""
            [{ "role": "user", "content": [
                { "type": "text", "text": "{{Chatter}}" },
                { "type": "image_url", "image_url": { "url": "https://example.com/cat.png" } }
            ] }]
            """);

        Assert.Equal(TokenCounter.CountTokens(UserSays(Chatter)), TokenCounter.CountTokens(parts));
    }

    [Fact]
    public void Each_message_adds_to_the_count()
    {
        var one = TokenCounter.CountTokens(UserSays(Chatter));
        var two = TokenCounter.CountTokens(Json($$"""
            [{ "role": "system", "content": "{{Chatter}}" }, { "role": "user", "content": "{{Chatter}}" }]
            """));

        Assert.Equal(2 * one, two);
    }
}
