using Microsoft.Extensions.Primitives;
using Router.Host.Auth;

namespace Router.Host.Tests.Auth;

public sealed class KeyAuthenticatorTests
{
    private const string MasterKey = "sk-router-0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly KeyAuthenticator _authenticator = new(MasterKey);

    [Theory]
    [InlineData("Bearer " + MasterKey)]
    [InlineData("bearer " + MasterKey)]
    [InlineData("BEARER " + MasterKey)]
    [InlineData("Bearer   " + MasterKey + "  ")]
    public void The_master_key_authenticates_as_master_with_every_model(string header)
    {
        var key = _authenticator.Authenticate(new StringValues(header));
        Assert.True(_authenticator.IsMaster(new StringValues(header)));

        Assert.NotNull(key);
        Assert.Equal(KeyAuthenticator.MasterKeyId, key.KeyId);
        Assert.True(key.IsMaster);
        Assert.Equal(["*"], _authenticator.MasterPolicy.AllowedModels);
        Assert.Equal(KeySecrets.Hash(MasterKey), key.SecretHash);
        Assert.DoesNotContain(MasterKey, key.DisplayPrefix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer sk-router-wrong")]
    [InlineData("Bearer " + MasterKey + "x")]
    [InlineData("Bearer " + "SK-ROUTER-0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")]
    [InlineData(MasterKey)]
    [InlineData("Basic " + MasterKey)]
    [InlineData("Bearer" + MasterKey)]
    [InlineData("Bearer ")]
    [InlineData("Bearer")]
    [InlineData("")]
    public void Anything_else_is_not_authenticated(string header)
    {
        Assert.Null(_authenticator.Authenticate(new StringValues(header)));
        Assert.False(_authenticator.IsMaster(new StringValues(header)));
    }

    [Fact]
    public void A_missing_header_is_not_authenticated() =>
        Assert.Null(_authenticator.Authenticate(StringValues.Empty));

    [Fact]
    public void A_long_non_ASCII_master_key_authenticates()
    {
        var key = "sk-" + string.Concat(Enumerable.Repeat("ключ🔑", 60));
        var authenticator = new KeyAuthenticator(key);

        Assert.NotNull(authenticator.Authenticate(new StringValues("Bearer " + key)));
        Assert.Null(authenticator.Authenticate(new StringValues("Bearer " + key[..^1])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(14)]
    [InlineData(23)]
    [InlineData(24)]
    [InlineData(58)]
    [InlineData(500)]
    public void DisplayPrefix_never_reveals_more_than_10_characters(int length)
    {
        var key = new string(Enumerable.Range(0, length).Select(i => (char)('a' + i % 26)).ToArray());

        var shown = KeySecrets.DisplayPrefix(key).TrimEnd('…');

        Assert.True(shown.Length <= 10, $"'{shown}' shows {shown.Length} characters");
        if (length > 0) Assert.True(shown.Length < length, "a key must never be shown whole");
    }

    [Fact]
    public void DisplayPrefix_of_a_long_key_starts_like_the_key()
    {
        Assert.Equal("sk-router-…", KeySecrets.DisplayPrefix(MasterKey));
    }
}
