using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Router.Tests.Shared;

namespace Router.Host.Tests.Hosting;

/// <summary>
/// The GET routes the router maps, read from the built app's endpoint data sources, are exactly those
/// <see cref="RouterGetRoutes"/> lists, which the end-to-end leak test fetches one by one.
/// </summary>
public sealed class RouterGetRoutesTests
{
    [Fact]
    public async Task Every_mapped_get_route_is_listed_for_the_leak_test_and_every_listed_one_is_mapped()
    {
        await using var router = await BuiltRouter.BuildAsync();

        var mapped = ((IEndpointRouteBuilder)router.App).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || methods.HttpMethods.Contains(HttpMethods.Get))
            .Select(endpoint => "/" + endpoint.RoutePattern.RawText!.TrimStart('/'))
            .ToHashSet(StringComparer.Ordinal);

        var unlisted = mapped.Except(RouterGetRoutes.All).Order(StringComparer.Ordinal).ToList();
        var gone = RouterGetRoutes.All.Except(mapped).ToList();
        Assert.True(unlisted.Count == 0, $"GET routes mapped but not in tests/Shared/RouterGetRoutes.cs (the leak test would skip them): {string.Join(", ", unlisted)}");
        Assert.True(gone.Count == 0, $"routes in tests/Shared/RouterGetRoutes.cs that are no longer mapped: {string.Join(", ", gone)}");
    }
}
