using System.Text;
using Router.Contracts.Configuration;
using Router.Host.Providers;

namespace Router.Host.Tests.Providers;

/// <summary>A provider's key and long configured header values are masked out of what it answers; other text is left as it was.</summary>
public sealed class ProviderCredentialsTests
{
    private const string Key = "sk-provider-key-0123456789abcdef";
    private const string Token = "gateway-token-fedcba9876543210";

    private static ProviderCredentials Of(string? key, Dictionary<string, string> headers) =>
        new(new ProviderSettings("p", ProviderType.OpenAiCompatible, new Uri("http://127.0.0.1:9/v1"), key, false, headers,
            new ProviderTimeouts(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))));

    private static string Masked(ProviderCredentials credentials, string text) => Encoding.UTF8.GetString(credentials.MaskIn(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void The_key_and_a_credential_header_are_masked_wherever_and_however_often_they_appear()
    {
        var credentials = Of(Key, new() { ["x-gateway-token"] = Token, ["x-version"] = "2023-06-01" });

        var masked = Masked(credentials, $$$"""{"error":{"message":"authorization: Bearer {{{Key}}}; x-gateway-token: {{{Token}}}; again {{{Key}}}; x-version: 2023-06-01"}}""");

        Assert.Equal("""{"error":{"message":"authorization: Bearer ********; x-gateway-token: ********; again ********; x-version: 2023-06-01"}}""", masked);
    }

    [Fact]
    public void A_body_without_a_credential_is_the_same_array()
    {
        var body = Encoding.UTF8.GetBytes("""{"error":{"message":"Rate limit reached."}}""");

        Assert.Same(body, Of(Key, []).MaskIn(body));
        Assert.Same(body, Of(null, []).MaskIn(body));
    }
}
