using System.Text.Json;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

/// <summary>A request lowered to what its key's budget covers: in the field the client sent, on a copy of its body.</summary>
public sealed class CompletionCapTests
{
    private static readonly ProviderTimeouts Timeouts =
        new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600));

    private static ProviderSettings Provider(ProviderType type) =>
        new("p", type, new Uri("https://p.example.com/v1"), "k", false, new Dictionary<string, string>(), Timeouts);

    private static readonly ProviderSettings OpenAi = Provider(ProviderType.OpenAi);
    private static readonly ProviderSettings Compatible = Provider(ProviderType.OpenAiCompatible);

    private static ProxyRequest Request(string fields) =>
        JsonSerializer.Deserialize($$"""{"model":"m","stream":true,{{fields}}"messages":[{"role":"user","content":"hi"}]}""", WireJsonContext.Wire.ProxyRequest)!;

    private static int? Int(ProxyRequest request, string field) => request.Field(field)?.GetInt32();

    [Fact]
    public void The_field_the_client_sent_is_lowered_and_the_clients_body_keeps_what_it_asked()
    {
        var sent = Request("\"max_tokens\":1000,\"temperature\":0.2,");

        var lowered = CompletionCap.Lower(sent, 92, OpenAi, ProxyOperation.ChatCompletions);

        Assert.Equal((92, (int?)null), (Int(lowered, "max_tokens"), Int(lowered, "max_completion_tokens")));
        Assert.Equal(1000, Int(sent, "max_tokens"));
        Assert.Equal(0.2, lowered.Field("temperature")!.Value.GetDouble());
        Assert.Equal(("m", true), (lowered.Model, lowered.Stream));
        Assert.NotSame(sent.Rest, lowered.Rest);
    }

    [Fact]
    public void Both_limits_are_lowered_when_the_client_sent_both()
    {
        var lowered = CompletionCap.Lower(Request("\"max_tokens\":1000,\"max_completion_tokens\":900,"), 50, Compatible, ProxyOperation.ChatCompletions);

        Assert.Equal((50, 50), (Int(lowered, "max_tokens"), Int(lowered, "max_completion_tokens")));
    }

    [Fact]
    public void A_request_without_a_limit_gets_the_field_its_provider_reads()
    {
        Assert.Equal(64, Int(CompletionCap.Lower(Request(""), 64, OpenAi, ProxyOperation.ChatCompletions), "max_completion_tokens"));
        Assert.Equal(64, Int(CompletionCap.Lower(Request(""), 64, OpenAi, ProxyOperation.Completions), "max_tokens"));
        Assert.Equal(64, Int(CompletionCap.Lower(Request(""), 64, Compatible, ProxyOperation.ChatCompletions), "max_tokens"));
        Assert.Null(Int(CompletionCap.Lower(Request(""), 64, Compatible, ProxyOperation.ChatCompletions), "max_completion_tokens"));
    }

    [Fact]
    public void The_lowered_request_is_written_with_the_new_limit() =>
        Assert.Contains("\"max_tokens\":92", JsonSerializer.Serialize(CompletionCap.Lower(Request("\"max_tokens\":1000,"), 92, Compatible,
            ProxyOperation.ChatCompletions), WireJsonContext.Wire.ProxyRequest), StringComparison.Ordinal);
}
