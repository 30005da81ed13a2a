using System.Diagnostics;
using System.Globalization;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// Cuts the link between the two nodes of a pair on loopback, and only that: iptables drops every packet to their
/// remoting ports (silently, as a pulled cable does, so each node's failure detector has to notice), which cuts
/// both directions (each node sends to the other's port), while HTTP, PostgreSQL and Redis still answer both.
/// Packets from those ports are left alone: once a node exits, its port may be any client's ephemeral port. Needs root and iptables (.ci/run installs it); the rules are
/// removed by <see cref="RestoreAsync"/> or on dispose.
/// </summary>
public sealed class RemotingLinkCut(IReadOnlyList<int> remotingPorts) : IAsyncDisposable
{
    private bool _cut;

    public async Task CutAsync()
    {
        await ApplyAsync("-I");
        _cut = true;
    }

    public async Task RestoreAsync()
    {
        if (!_cut) return;
        _cut = false;
        await ApplyAsync("-D");
    }

    public async ValueTask DisposeAsync() => await RestoreAsync();

    private async Task ApplyAsync(string action)
    {
        foreach (var port in remotingPorts)
            await IptablesAsync(action, "INPUT", "-i", "lo", "-p", "tcp", "--dport", port.ToString(CultureInfo.InvariantCulture), "-j", "DROP");
    }

    private static async Task IptablesAsync(params string[] args)
    {
        var start = new ProcessStartInfo("iptables") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("iptables did not start");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"iptables {string.Join(' ', args)} failed: {error}");
    }
}
