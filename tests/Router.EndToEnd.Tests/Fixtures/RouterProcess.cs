using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// The real <c>router</c> executable started as a child process on a free loopback port, with a config
/// file written for the test. Its console output is kept so tests can read it (and check secrets are
/// absent); the process is killed on dispose.
/// </summary>
public sealed class RouterProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private readonly bool _ownsDataDir;

    private RouterProcess(Process process, string baseUrl, string dataDir, bool ownsDataDir)
    {
        _process = process;
        _ownsDataDir = ownsDataDir;
        BaseUrl = baseUrl;
        DataDir = dataDir;
    }

    public string BaseUrl { get; }
    public string DataDir { get; }

    /// <summary>The certificate the router serves HTTPS with (router.http.tls), whose clients trust it; null: plain HTTP.</summary>
    public ServerCertificateFiles? Https { get; private init; }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The router's own process (<c>dotnet router.dll</c> runs the router in the process it starts).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The process's exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the router with <paramref name="routerBlock"/> as the body of a <c>router { }</c> file. A data
    /// directory made here is deleted on dispose; one passed in is the caller's to keep. With <paramref name="https"/>
    /// it listens on an https:// address (the block must set router.http.tls to those files), and its clients trust
    /// that certificate. <paramref name="environment"/> adds variables the config reads (<c>${?NAME}</c>).
    /// </summary>
    public static async Task<RouterProcess> StartAsync(string routerBlock, string? dataDir = null, bool waitUntilReady = true,
        ServerCertificateFiles? https = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("router-e2e-").FullName;
        var configFile = Path.Combine(dataDir, "test.conf");
        await File.WriteAllTextAsync(configFile, ConfigText(dataDir, routerBlock));
        var port = LoopbackPort.Free();
        var baseUrl = $"{(https is null ? "http" : "https")}://127.0.0.1:{port}";

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RouterDll());
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configFile);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl);
        // The tests decide every provider key; nothing leaks in from the developer's shell.
        foreach (var name in new[] { "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "XAI_API_KEY", "NVIDIA_NIM_API_KEY", "MINIMAX_API_KEY", "OPENROUTER_API_KEY" })
            start.Environment.Remove(name);
        // Nor any of the router's own settings (ROUTER_MASTER_KEY, ROUTER_CACHE_SECRET, ROUTER_STORAGE_PASSWORD_FILE, ...).
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ROUTER_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the router");
        var router = new RouterProcess(process, baseUrl, dataDir, ownsDataDir) { Https = https };
        process.OutputDataReceived += (_, e) => router.Append(e.Data);
        process.ErrorDataReceived += (_, e) => router.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (waitUntilReady) await router.WaitUntilReadyAsync();
        }
        catch
        {
            // A router that never became ready is the caller's failure, not a process it can stop: stopped here, or it
            // would outlive the test (a retried start would leave it serving on its port).
            await router.DisposeAsync();
            throw;
        }
        return router;
    }

    private static string ConfigText(string dataDir, string routerBlock) => $"router {{\n  data-dir = \"{dataDir}\"\n{routerBlock}\n}}\n";

    /// <summary>Replaces the config file the router was started with (it reads it again on a reload).</summary>
    public Task RewriteConfigAsync(string routerBlock) => File.WriteAllTextAsync(Path.Combine(DataDir, "test.conf"), ConfigText(DataDir, routerBlock));

    /// <summary>SIGHUP, as an operator's <c>systemctl reload</c> sends it.</summary>
    public void Hangup()
    {
        using var kill = Process.Start("kill", ["-HUP", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public HttpClient CreateClient(string? bearer)
    {
        var client = new HttpClient(Handler()) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>A handler for this router's scheme: over HTTPS it trusts the router's certificate and nothing else.</summary>
    public SocketsHttpHandler Handler() => Https?.TrustingHandler() ?? new SocketsHttpHandler();

    /// <summary>Asks the router to stop as systemd or a container runtime would: SIGTERM.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Kills the router as a crash or an OOM kill would: SIGKILL, no chance to flush anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient(Handler()) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"router exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await http.GetAsync($"{BaseUrl}/health/readiness");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // not answering yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"router did not become ready:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>The router built alongside these tests, in the same configuration (Debug/Release).</summary>
    internal static string RouterDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var dll = Path.Combine(RepositoryRoot(), "src", "Router.Host", "bin", configuration, framework, "router.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/Router.Host first", dll);
    }

    /// <summary>The checkout these tests were built in: the folder holding Router.sln.</summary>
    internal static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Router.sln"))) root = root.Parent;
        return root?.FullName ?? throw new InvalidOperationException("Router.sln not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (!_ownsDataDir) return;
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp directory
        }
    }
}
