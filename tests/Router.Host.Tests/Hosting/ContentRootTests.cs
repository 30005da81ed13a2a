using Microsoft.Extensions.Configuration;

namespace Router.Host.Tests.Hosting;

/// <summary>
/// The router's files are its own directory's, whatever directory it was started from, and it watches none: ASP.NET's
/// default watched every directory under the working directory for appsettings.json, and woke for every write below it
/// (the request log's own, with the README's ./data), a sixth of the router's CPU under load.
/// </summary>
public sealed class ContentRootTests
{
    [Fact]
    public async Task The_content_root_is_the_routers_own_directory_and_no_file_is_watched()
    {
        await using var router = await BuiltRouter.BuildAsync();

        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(router.App.Environment.ContentRootPath));
        var watched = ((IConfigurationRoot)router.App.Configuration).Providers.OfType<FileConfigurationProvider>().Where(p => p.Source.ReloadOnChange);
        Assert.Empty(watched);
    }
}
