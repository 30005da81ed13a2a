using System.Diagnostics;

namespace Router.MockUpstream;

/// <summary>
/// A throw-away Redis Sentinel (<c>redis-server --sentinel</c>) on a free loopback port watching one
/// <see cref="RedisServer"/> as <see cref="ServiceName"/>; killed by its process id on dispose.
/// </summary>
public sealed class RedisSentinel : IAsyncDisposable
{
    public const string ServiceName = "router-cache";

    private readonly Process _process;
    private readonly string _directory;

    private RedisSentinel(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisSentinel> StartAsync(RedisServer primary)
    {
        var port = LoopbackPort.Free();
        // Sentinel rewrites its configuration file, so it gets one of its own.
        var directory = Directory.CreateTempSubdirectory("router-sentinel-").FullName;
        var config = Path.Combine(directory, "sentinel.conf");
        await File.WriteAllTextAsync(config, $"port {port}\nbind 127.0.0.1\nsentinel monitor {ServiceName} 127.0.0.1 {primary.Port} 1\n");
        var start = new ProcessStartInfo(RedisServer.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { config, "--sentinel", "--loglevel", "warning" }) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server --sentinel did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sentinel = new RedisSentinel(process, directory, port);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"redis sentinel exited with {process.ExitCode}");
            var (exit, output) = await primary.CliAsync(null, "-p", port.ToString(), "SENTINEL", "get-master-addr-by-name", ServiceName);
            if (exit == 0 && output.Contains(primary.Port.ToString(), StringComparison.Ordinal)) return sentinel;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"redis sentinel on port {port} does not know {ServiceName}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
