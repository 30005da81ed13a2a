using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Router.MockUpstream;

/// <summary>
/// A throw-away PostgreSQL: <c>initdb</c> into a temporary directory, then <c>postgres</c> on a free loopback
/// port with a database <see cref="Database"/> and a password for its superuser (so a test can check it is
/// never logged). Durability against a power cut is off (fsync), as for any test database; a commit is still
/// written before it is acknowledged (synchronous_commit on, the default), so what it acknowledged outlives a
/// crash of the server, as the tests that kill it expect of PostgreSQL. <see cref="StopAsync"/> stops it at once
/// (SIGQUIT to the postmaster, by its process id: no checkpoint, crash recovery at the next start) and
/// <see cref="StartAsync"/> starts it again on the same port and data, so a test can take the database away
/// and give it back. PostgreSQL refuses to run as root: as root (CI), it runs as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Database = "router";
    public const string User = "postgres";

    private readonly string _root;
    private readonly string _bin;
    private Process? _process;

    private readonly List<string> _settings = [];

    private PostgresServer(string root, string bin, int port, string password)
    {
        _root = root;
        _bin = bin;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    public string DataDir => Path.Combine(_root, "data");

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database={Database};Username={User};Password={Password}";

    public bool IsRunning => _process is { HasExited: false };

    private static bool AsRoot => Environment.UserName == "root";

    /// <summary>
    /// Makes a new cluster with the <see cref="Database"/> database, and starts it; with <paramref name="tls"/> it also
    /// accepts TLS, with that certificate and key (PEM), which only the <c>postgres</c> user may read.
    /// </summary>
    public static async Task<PostgresServer> StartNewAsync(PostgresTls? tls = null)
    {
        var root = Directory.CreateTempSubdirectory("router-pg-").FullName;
        var server = new PostgresServer(root, BinDirectory(), LoopbackPort.Free(), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));
        try
        {
            var passwordFile = Path.Combine(root, "pwfile");
            await File.WriteAllTextAsync(passwordFile, server.Password + "\n");
            if (tls is not null) server.WriteTlsFiles(tls);
            if (AsRoot) await RunAsync("chown", ["-R", User, root]);
            // Trust on the socket (for createdb here), a password over TCP (what the router uses).
            await server.RunToolAsync("initdb", "-D", server.DataDir, "-U", User, "--pwfile", passwordFile, "--auth-local=trust",
                "--auth-host=scram-sha-256", "--no-locale", "--encoding=UTF8", "--no-sync");
            await server.StartAsync();
            await server.RunToolAsync("createdb", "-h", server.DataDir, "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-U", User, Database);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>PostgreSQL refuses a key file that group or others may read: 0600, owned by the server's user (chown above, as root).</summary>
    private void WriteTlsFiles(PostgresTls tls)
    {
        var certificate = Path.Combine(_root, "server.crt");
        var key = Path.Combine(_root, "server.key");
        File.WriteAllText(certificate, tls.CertificatePem);
        File.WriteAllText(key, tls.KeyPem);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _settings.AddRange(["-c", "ssl=on", "-c", $"ssl_cert_file={certificate}", "-c", $"ssl_key_file={key}"]);
    }

    /// <summary>Starts the server on its port and data; returns once it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (IsRunning) return;
        var start = Tool("postgres", ["-D", DataDir, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", DataDir,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
            "-c", "shared_buffers=16MB", .. _settings]);
        var process = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start");
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                lock (log) throw new InvalidOperationException($"postgres exited with {process.ExitCode} (port {Port} taken?):\n{log}");
            }
            if (await IsReadyAsync()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"postgres did not accept connections on port {Port}");
            await Task.Delay(50);
        }
    }

    /// <summary>Stops the server at once, as a crash would: SIGQUIT to the postmaster, which leaves without a checkpoint.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        try
        {
            if (process.HasExited) return;
            // As root the process started is runuser; the postmaster is its child, named in postmaster.pid.
            var pid = await PostmasterPidAsync() ?? process.Id;
            await RunAsync("kill", ["-QUIT", pid.ToString(CultureInfo.InvariantCulture)]);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a temp directory
            }
        }
    }

    private async Task<int?> PostmasterPidAsync()
    {
        try
        {
            var first = (await File.ReadAllLinesAsync(Path.Combine(DataDir, "postmaster.pid"))).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private async Task<bool> IsReadyAsync()
    {
        using var process = Process.Start(Tool("pg_isready", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-q"))!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }

    private async Task RunToolAsync(string tool, params string[] args)
    {
        using var process = Process.Start(Tool(tool, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} exited with {process.ExitCode}:\n{await output}\n{await error}");
    }

    /// <summary>A PostgreSQL program, through <c>runuser</c> when running as root.</summary>
    private ProcessStartInfo Tool(string tool, params string[] args)
    {
        var path = Path.Combine(_bin, tool);
        var start = new ProcessStartInfo(AsRoot ? "runuser" : path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        if (AsRoot)
            foreach (var arg in new[] { "-u", User, "--", path }) start.ArgumentList.Add(arg);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // A developer's own PG* settings must not point the tools elsewhere.
        foreach (var name in new[] { "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGDATA" }) start.Environment.Remove(name);
        return start;
    }

    private static async Task RunAsync(string program, string[] args)
    {
        using var process = Process.Start(program, args);
        await process.WaitForExitAsync();
    }

    /// <summary>The newest installed version's programs (Debian's layout), else the directory of <c>initdb</c> on the PATH.</summary>
    private static string BinDirectory()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Dir)
            : [];
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(d => File.Exists(Path.Combine(d, "initdb")));
        return versions.Concat(onPath).FirstOrDefault()
               ?? throw new InvalidOperationException("PostgreSQL is not installed (initdb not found): apt-get install postgresql");
    }
}

/// <summary>A server certificate and its private key, both PEM, for <see cref="PostgresServer.StartNewAsync"/>.</summary>
public sealed record PostgresTls(string CertificatePem, string KeyPem);
