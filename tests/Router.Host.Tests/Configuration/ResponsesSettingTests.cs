using Akka.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary><c>router.providers.&lt;name&gt;.responses</c> and <c>router.responses.retention</c>.</summary>
public sealed class ResponsesSettingTests
{
    private static Contracts.Configuration.RouterSettings Read(string hocon) => RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));

    [Fact]
    public void An_openai_compatible_provider_may_declare_the_Responses_API_native_and_is_bridged_otherwise()
    {
        var settings = Read("""
            router.providers.vllm { type = openai-compatible, api-base = "http://x/v1", responses = native }
            router.providers.ollama { type = openai-compatible, api-base = "http://y/v1" }
            """);
        Assert.True(settings.Providers.Single(p => p.Name == "vllm").NativeResponses);
        Assert.False(settings.Providers.Single(p => p.Name == "ollama").NativeResponses);
    }

    [Theory]
    [InlineData("""router.providers.claude { type = anthropic, api-base = "http://x/v1", api-key = k, responses = native }""", "openai-compatible")]
    [InlineData("""router.providers.vllm { type = openai-compatible, api-base = "http://x/v1", responses = sometimes }""", "native or bridged")]
    [InlineData("""router.responses.retention = 0s""", "retention")]
    public void What_cannot_mean_anything_is_refused_at_start(string hocon, string reason) =>
        Assert.Contains(reason, Assert.Throws<ConfigException>(() => Read(hocon)).Message);

    [Fact]
    public void Stored_responses_are_kept_thirty_days_unless_the_operator_says_otherwise()
    {
        Assert.Equal(TimeSpan.FromDays(30), Read("router.max-request-body-bytes = 1000000").ResponsesRetention);
        Assert.Equal(TimeSpan.FromDays(7), Read("router.responses.retention = 7d").ResponsesRetention);
    }
}
