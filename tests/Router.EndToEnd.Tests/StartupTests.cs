using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>What an operator sees when starting the router: keys, skipped providers, bad config, health.</summary>
public sealed class StartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_master_key_one_is_generated_once_kept_private_and_required()
    {
        var dataDir = Directory.CreateTempSubdirectory("router-e2e-key-").FullName;
        string key;
        await using (var first = await RouterProcess.StartAsync("", dataDir))
        {
            var keyFile = Path.Combine(dataDir, "master.key");
            key = (await File.ReadAllTextAsync(keyFile, Ct)).Trim();
            Assert.StartsWith("sk-router-", key);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            // Standard output is redirected here, as under systemd: the key is kept out of it, its file and the command named.
            Assert.DoesNotContain(key, first.Output);
            Assert.Contains($"stored it in {keyFile} (mode 0600", first.Output);
            Assert.Contains("router keys master", first.Output);

            // The operator on the host prints it on demand, from the same configuration.
            var printed = await RouterCliProcess.RunAsync(null, "keys", "master", "--config", Path.Combine(dataDir, "test.conf"));
            Assert.True(printed.ExitCode == 0, printed.ToString());
            Assert.Equal(key, printed.Stdout.Trim());

            using var anonymous = first.CreateClient(null);
            using var refused = await anonymous.GetAsync("/v1/models", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using var withKey = first.CreateClient(key);
            using var models = await withKey.GetAsync("/v1/models", Ct);
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        }

        await using (var second = await RouterProcess.StartAsync("", dataDir))
        {
            Assert.DoesNotContain(key, second.Output);
            using var again = second.CreateClient(key);
            using var stillValid = await again.GetAsync("/v1/models", Ct);
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        }
        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task The_heap_is_held_to_sixty_percent_of_the_memory_and_the_start_says_how_much_that_is()
    {
        // The runtime's own default, 75% of a container's limit, left too little for the rest in a 200 MB one (bench/README).
        var runtimeConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(RouterProcess.RouterDll(), ".runtimeconfig.json"), Ct))!;
        Assert.Equal(60, runtimeConfig["runtimeOptions"]!["configProperties"]!["System.GC.HeapHardLimitPercent"]!.GetValue<int>());

        await using var router = await RouterProcess.StartAsync("");

        Assert.Matches(@"Memory: the heap may use [1-9]\d* MB", router.Output);
    }

    [Fact]
    public async Task On_a_terminal_the_generated_master_key_is_printed()
    {
        var dataDir = Directory.CreateTempSubdirectory("router-e2e-key-tty-").FullName;
        var config = Path.Combine(dataDir, "tty.conf");
        await File.WriteAllTextAsync(config, $"router.data-dir = \"{dataDir}\"\n", Ct);
        // util-linux's script runs the router on a pseudo-terminal of its own: standard output is a terminal there.
        var start = new ProcessStartInfo("script")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // kept open: at its end script would end the session
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-qfec", $"dotnet '{RouterProcess.RouterDll()}' --config '{config}' --urls http://127.0.0.1:{LoopbackPort.Free()}", "/dev/null" })
            start.ArgumentList.Add(arg);
        foreach (var name in new[] { "ROUTER_MASTER_KEY", "ROUTER_DATA_DIR", "ROUTER_CONFIG" }) start.Environment.Remove(name);
        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        try
        {
            var keyFile = Path.Combine(dataDir, "master.key");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                var key = File.Exists(keyFile) ? (await File.ReadAllTextAsync(keyFile, Ct)).Trim() : null;
                lock (output)
                    if (key is { Length: > 0 } && output.ToString().Contains(key, StringComparison.Ordinal)) return;
                if (process.HasExited || DateTime.UtcNow > deadline)
                    lock (output) Assert.Fail($"the generated key was not printed on the terminal (exited: {process.HasExited}):\n{output}");
                await Task.Delay(100, Ct);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_configured_master_key_shorter_than_32_characters_stops_the_router_with_the_reason()
    {
        await using var router = await RouterProcess.StartAsync("""master-key = "sk-1234-too-short" """, waitUntilReady: false);

        Assert.Equal(2, await router.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("router.master-key (ROUTER_MASTER_KEY) is refused: it has 17 characters, fewer than the 32", router.Output);
        Assert.DoesNotContain("sk-1234-too-short", router.Output);
    }

    [Fact]
    public async Task Router_keys_master_prints_a_configured_key_and_says_when_there_is_none()
    {
        var dataDir = Directory.CreateTempSubdirectory("router-e2e-key-cli-").FullName;
        try
        {
            var configured = Path.Combine(dataDir, "configured.conf");
            await File.WriteAllTextAsync(configured, "router.master-key = \"sk-startup-configured-master-5e1c9a7b3d\"\n", Ct);
            var none = Path.Combine(dataDir, "none.conf");
            await File.WriteAllTextAsync(none, $"router.data-dir = \"{dataDir}\"\n", Ct);

            var printed = await RouterCliProcess.RunAsync(null, "keys", "master", "--config", configured);
            var missing = await RouterCliProcess.RunAsync(null, "keys", "master", "--config", none);

            Assert.Equal(0, printed.ExitCode);
            Assert.Equal("sk-startup-configured-master-5e1c9a7b3d", printed.Stdout.Trim());
            Assert.Equal(6, missing.ExitCode);
            Assert.Contains(Path.Combine(dataDir, "master.key"), missing.Stderr);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_provider_without_its_key_is_skipped_with_one_line_and_its_routes_are_off()
    {
        await using var router = await RouterProcess.StartAsync("""master-key = "sk-startup-test-master-key-0001-7e3c" """);

        Assert.Contains("Provider 'openrouter' needs an api-key", router.Output);
        Assert.Contains("Provider 'openai' needs an api-key", router.Output);
        using var http = router.CreateClient("sk-startup-test-master-key-0001-7e3c");
        // With openrouter off there is no catch-all, so an unknown name is a clean 404, not a call.
        using var response = await http.PostAsync("/v1/chat/completions", Chat("anthropic/claude-sonnet-4"), Ct);
        await ErrorOf(response, HttpStatusCode.NotFound);
        using var models = await http.GetAsync("/v1/models", Ct);
        var ids = JsonNode.Parse(await models.Content.ReadAsStringAsync(Ct))!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        // Names a client can send only (ModelListTests), none of them a skipped provider's.
        Assert.DoesNotContain(ids, id => id.Contains('*', StringComparison.Ordinal) || id.StartsWith("openai/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_answers_without_a_key_and_shows_no_secret()
    {
        await using var router = await RouterProcess.StartAsync("""master-key = "sk-startup-test-master-key-0002-7e3c" """);
        using var http = router.CreateClient(null);

        using var live = await http.GetAsync("/health/liveness", Ct);
        using var ready = await http.GetAsync("/health/readiness", Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync(Ct);
        Assert.Equal("ready", JsonNode.Parse(body)!["status"]!.GetValue<string>());
        Assert.Equal("ok", JsonNode.Parse(body)!["checks"]!["storage"]!.GetValue<string>());
        Assert.DoesNotContain("sk-startup-test-master-key-0002-7e3c", body);
    }

    [Theory]
    [InlineData("providers { broken { type = carrier-pigeon, api-base = \"http://x\" } }", "carrier-pigeon")]
    [InlineData("models = [ { name = \"m\", provider = nowhere } ]", "nowhere")]
    [InlineData("models = [ { name = \"a*b\", provider = ollama } ]", "'*' may only end a model name")]
    public async Task An_invalid_configuration_stops_the_router_with_the_reason(string block, string reason)
    {
        await using var router = await RouterProcess.StartAsync(block, waitUntilReady: false);

        var exitCode = await router.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, exitCode);
        Assert.Contains(reason, router.Output);
    }
}
