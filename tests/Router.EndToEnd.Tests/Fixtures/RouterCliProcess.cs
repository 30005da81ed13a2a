using System.Diagnostics;
using System.Text;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>What one run of the command line printed and exited with.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// The <c>router</c> executable run as an operator runs it (<c>dotnet router.dll cluster show --node … --json</c>),
/// with <c>ROUTER_MASTER_KEY</c> set as given (or unset), nothing else from the developer's shell.
/// </summary>
public sealed class RouterCliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();

    private RouterCliProcess(Process process) => _process = process;

    /// <summary>Runs a command to its end (a minute at most) and returns what it printed.</summary>
    public static async Task<CliResult> RunAsync(string? masterKey, params string[] args)
    {
        await using var cli = Start(masterKey, args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await cli._process.WaitForExitAsync(timeout.Token);
        // The asynchronous readers have seen the end of both streams once WaitForExit without a timeout returns.
        cli._process.WaitForExit();
        return new CliResult(cli._process.ExitCode, cli.Stdout, cli.Stderr);
    }

    /// <summary>Starts a command that runs until stopped (<c>cluster tail</c>); its output lines are read as they come.</summary>
    public static RouterCliProcess Start(string? masterKey, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RouterProcess.RouterDll());
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in new[] { "ROUTER_MASTER_KEY", "ROUTER_NODE", "ROUTER_CONFIG" }) start.Environment.Remove(name);
        if (masterKey is not null) start.Environment["ROUTER_MASTER_KEY"] = masterKey;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the router command line");
        var cli = new RouterCliProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (cli._lines) cli._lines.Add(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (cli._stderr) cli._stderr.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    public string Stdout => string.Join('\n', Lines);

    public string Stderr
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits until a printed line satisfies <paramref name="match"/>; fails with everything printed so far.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Lines.FirstOrDefault(match) is { } line) return line;
            if (_process.HasExited && Lines.FirstOrDefault(match) is null)
                throw new InvalidOperationException($"the command line exited ({_process.ExitCode}) before {what}:\n{Stdout}\n{Stderr}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"{what} within {timeout.TotalSeconds} s:\n{Stdout}\n{Stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
