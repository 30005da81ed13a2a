using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Hosting;
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
        var dataDir = Directory.CreateTempSubdirectory("router-routes-").FullName;
        try
        {
            var file = Path.Combine(dataDir, "test.conf");
            await File.WriteAllTextAsync(file, $"router {{\n  data-dir = {HoconQuoting.Quote(dataDir)}\n  master-key = \"sk-routes-test-master-0123456789abcdef\"\n}}\n",
                TestContext.Current.CancellationToken);
            await using var app = RouterServer.Build(RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(file), "http://127.0.0.1:0"));

            var mapped = ((IEndpointRouteBuilder)app).DataSources
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
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
