using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Router.Host.Tests.Hosting;

/// <summary>
/// ASP.NET starts an Activity and a log scope for every request while its hosting diagnostics category is enabled at any
/// level (900 bytes a request and 3-6% of the throughput at 32 connections, bench/README): the router switches that one
/// category off and keeps the rest of ASP.NET's warnings, Kestrel's unhandled exceptions among them.
/// </summary>
public sealed class RequestActivityTests
{
    [Fact]
    public async Task No_request_makes_a_hosting_activity_and_aspnet_warnings_are_still_logged()
    {
        await using var router = await BuiltRouter.BuildAsync();
        var loggers = router.App.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Lifetime").IsEnabled(LogLevel.Warning));
    }
}
