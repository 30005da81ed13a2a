using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Router.MockUpstream;

/// <summary>
/// A throw-away <c>redis-server</c> on a free loopback port, without persistence. <see cref="StopAsync"/>
/// kills it (by its process id) and <see cref="StartAsync()"/> brings a new one up on the same port, so a test
/// can take Redis away and give it back. With <see cref="RedisSecurity"/> it asks clients for a password
/// (<c>requirepass</c>) and/or speaks TLS only (<c>--port 0 --tls-port</c>).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/redis-server";
    public const string Cli = "/usr/bin/redis-cli";

    private readonly RedisSecurity _security;
    private Process? _process;

    private RedisServer(int port, RedisSecurity security)
    {
        Port = port;
        _security = security;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServer> StartNewAsync(RedisSecurity? security = null)
    {
        var server = new RedisServer(LoopbackPort.Free(), security ?? new RedisSecurity());
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        if (IsRunning) return;
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in ServerArguments()) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with {process.ExitCode} (port {Port} taken?)");
            if (_security.IsPlain ? await PingAsync() : (await CliAsync(null, "PING")).Output.StartsWith("PONG", StringComparison.Ordinal)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"redis-server did not answer on port {Port}");
            await Task.Delay(20);
        }
    }

    private List<string> ServerArguments()
    {
        List<string> args = ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--loglevel", "warning"];
        if (_security.Tls is { } tls)
            args.AddRange(["--port", "0", "--tls-port", Port.ToString(), "--tls-cert-file", tls.CertificateFile, "--tls-key-file", tls.KeyFile,
                "--tls-ca-cert-file", tls.CaFile, "--tls-auth-clients", "no"]);
        else args.AddRange(["--port", Port.ToString()]);
        if (_security.Password is { } password) args.AddRange(["--requirepass", password]);
        return args;
    }

    /// <summary>
    /// Runs <c>redis-cli</c> against this server (with its password and TLS) as another client would:
    /// <paramref name="stdin"/>, when given, is the last argument (<c>-x</c>), so binary values can be written.
    /// </summary>
    public async Task<(int ExitCode, string Output)> CliAsync(byte[]? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Cli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", Port.ToString() }) start.ArgumentList.Add(arg);
        if (_security.Password is { } password)
            foreach (var arg in new[] { "-a", password, "--no-auth-warning" }) start.ArgumentList.Add(arg);
        if (_security.Tls is { } tls)
            foreach (var arg in new[] { "--tls", "--cacert", tls.CaFile }) start.ArgumentList.Add(arg);
        if (stdin is not null) start.ArgumentList.Add("-x");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (process.ExitCode, (await output + await error).Trim());
    }

    public async Task StopAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TimeSpan.FromSeconds(1));
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }
}

/// <summary>How a test's Redis is secured: a <c>requirepass</c> password and/or TLS from PEM files.</summary>
public sealed record RedisSecurity(string? Password = null, RedisTls? Tls = null)
{
    public bool IsPlain => Password is null && Tls is null;
}

/// <summary>The server's certificate and key and the CA that signed it (which <c>redis-cli</c> trusts).</summary>
public sealed record RedisTls(string CertificateFile, string KeyFile, string CaFile);
