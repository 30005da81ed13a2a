using System.Net;
using System.Runtime.Versioning;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// <c>api-key-file</c>: a provider's key read from a file only the router's user may read (systemd's
/// LoadCredential, a container secret). The router sends what the file holds, reads it again on a reload, shows
/// it nowhere, and refuses to start on a file group or others may read, saying which file and how to fix it.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ProviderKeyFileTests : IAsyncLifetime
{
    private const string MasterKey = "sk-e2e-key-file-master-4e8a2c6f1d3b5a7c";
    private const string ProviderKey = "sk-provider-from-its-file-6d2f8a4c1e";
    private const string RotatedKey = "sk-provider-rotated-in-its-file-9b3e7c";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MockOpenAiServer _mock = null!;
    private string _secrets = null!;

    public async ValueTask InitializeAsync()
    {
        _mock = await MockOpenAiServer.StartAsync();
        _secrets = Directory.CreateTempSubdirectory("router-e2e-key-file-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await _mock.DisposeAsync();
        Directory.Delete(_secrets, recursive: true);
    }

    private string KeyFile => Path.Combine(_secrets, "mock.key");

    private string Config => $$"""
          master-key = "{{MasterKey}}"
          cache.enabled = false
          providers { mock { type = openai-compatible, api-base = "{{_mock.ApiBase}}", key-required = true, api-key-file = "{{KeyFile}}" } }
          models = [ { name = "filed/*", provider = mock } ]
        """;

    private async Task WriteKeyAsync(string key, UnixFileMode mode)
    {
        await File.WriteAllTextAsync(KeyFile, key + "\n", Ct);
        File.SetUnixFileMode(KeyFile, mode);
    }

    private async Task<string> SentKeyAsync(HttpClient http, string text)
    {
        using var answer = await http.PostAsync("/v1/chat/completions", Chat("filed/echo", text), Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var received = _mock.Received.Last(r => r.Body.ToJsonString().Contains(text, StringComparison.Ordinal));
        return received.Headers["authorization"];
    }

    [Fact]
    public async Task The_key_in_a_0600_file_is_sent_to_the_provider_read_again_on_reload_and_shown_nowhere()
    {
        await WriteKeyAsync(ProviderKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var router = await RouterProcess.StartAsync(Config);
        using var http = router.CreateClient(MasterKey);

        Assert.Equal($"Bearer {ProviderKey}", await SentKeyAsync(http, "first"));

        // Rotated in place, as systemd or an orchestrator does; the reload reads the file again.
        await WriteKeyAsync(RotatedKey, UnixFileMode.UserRead);
        using (var reload = await http.PostAsync("/config/reload", null, Ct)) Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.Equal($"Bearer {RotatedKey}", await SentKeyAsync(http, "after the reload"));

        var config = await http.GetStringAsync("/admin/config", Ct);
        Assert.Contains(KeyFile, config);
        foreach (var key in new[] { ProviderKey, RotatedKey })
        {
            Assert.DoesNotContain(key, config);
            Assert.DoesNotContain(key, router.Output);
        }
    }

    [Fact]
    public async Task A_key_file_others_may_read_stops_the_router_with_the_file_its_mode_and_the_fix()
    {
        await WriteKeyAsync(ProviderKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var router = await RouterProcess.StartAsync(Config, waitUntilReady: false);

        var exitCode = await router.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, exitCode);
        Assert.Contains($"router.providers.mock.api-key-file: {KeyFile} has mode 0644", router.Output);
        Assert.Contains($"chmod 600 {KeyFile}", router.Output);
        Assert.DoesNotContain(ProviderKey, router.Output);
    }

    [Fact]
    public async Task A_missing_key_file_stops_the_router_with_its_path()
    {
        await using var router = await RouterProcess.StartAsync(Config, waitUntilReady: false);

        Assert.Equal(2, await router.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"router.providers.mock.api-key-file: {KeyFile} does not exist", router.Output);
    }
}
