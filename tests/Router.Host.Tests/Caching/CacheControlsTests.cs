using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Router.Host.Caching;
using Router.Host.Http;

namespace Router.Host.Tests.Caching;

/// <summary>LiteLLM's body <c>cache</c> object, and how it combines with the router's cache headers.</summary>
public sealed class CacheControlsTests
{
    private static CacheControls? Parse(string json) => CacheControls.Parse(JsonDocument.Parse(json).RootElement);

    private static HeaderDictionary Headers(params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers) dictionary[name] = value;
        return dictionary;
    }

    [Fact]
    public void Every_documented_control_is_read()
    {
        Assert.Equal(new CacheControls(true, true, TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(60), "team-a"),
            Parse("""{"no-cache":true,"no-store":true,"ttl":300,"s-maxage":60,"namespace":"team-a"}"""));
        Assert.Equal(new CacheControls(false, false, null, TimeSpan.Zero, null), Parse("""{"no-cache":false,"s-maxage":0}"""));
        Assert.Null(Parse("null"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"no-cache\"")]
    [InlineData("""{"no-cache":"yes"}""")]
    [InlineData("""{"no-store":1}""")]
    [InlineData("""{"ttl":0}""")]
    [InlineData("""{"ttl":1.5}""")]
    [InlineData("""{"ttl":"300"}""")]
    [InlineData("""{"ttl":99999999999}""")]
    [InlineData("""{"s-maxage":-1}""")]
    [InlineData("""{"namespace":"has space"}""")]
    [InlineData("""{"namespace":""}""")]
    [InlineData("""{"namespace":7}""")]
    [InlineData("""{"nocache":true}""")]
    public void Anything_else_is_a_400_naming_cache(string json)
    {
        var error = Assert.Throws<RouterError>(() => Parse(json));
        Assert.Equal((400, "cache"), (error.Status, error.Body.Param));
    }

    [Fact]
    public void The_body_means_what_the_headers_mean()
    {
        var fromHeaders = CacheDirectives.From(Headers(("Cache-Control", "no-cache"), ("x-router-cache-ttl", "120"), ("x-router-cache-namespace", "ns")));
        var fromBody = CacheDirectives.From(Headers(), Parse("""{"no-cache":true,"ttl":120,"namespace":"ns"}"""));
        Assert.Equal(fromHeaders, fromBody);

        var noStore = CacheDirectives.From(Headers(), Parse("""{"no-store":true}"""));
        Assert.Equal((false, false), (noStore.Lookup, noStore.Store));
        Assert.Equal(CacheDirectives.From(Headers()), CacheDirectives.From(Headers(), Parse("{}")));
    }

    [Fact]
    public void A_body_control_wins_over_its_header_and_either_turns_the_cache_off()
    {
        var both = CacheDirectives.From(Headers(("x-router-cache-ttl", "120"), ("x-router-cache-namespace", "header-ns"), ("Cache-Control", "no-store")),
            Parse("""{"ttl":30,"namespace":"body-ns","no-cache":false,"s-maxage":10}"""));

        Assert.Equal(new CacheDirectives(false, false, TimeSpan.FromSeconds(30), "body-ns", TimeSpan.FromSeconds(10)), both);
    }
}
