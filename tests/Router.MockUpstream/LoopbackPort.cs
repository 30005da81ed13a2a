using System.Net;
using System.Net.Sockets;

namespace Router.MockUpstream;

/// <summary>
/// Free loopback ports for the servers tests start as processes (router, redis-server, postgres). A port the kernel
/// hands out for port 0 lies in its ephemeral range, which every outgoing connection draws from too: between the
/// check here and the child's bind, one of the suite's many client connections could take it ("address already in
/// use"). Ports are therefore drawn below that range, where no outgoing connection is ever placed, and never twice
/// in one test process.
/// </summary>
public static class LoopbackPort
{
    private const int Lowest = 20000;
    private static readonly HashSet<int> HandedOut = [];

    public static int Free()
    {
        var below = EphemeralRangeStart();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Lowest, below);
            lock (HandedOut)
            {
                if (HandedOut.Contains(port) || !CanBind(port)) continue;
                HandedOut.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port between {Lowest} and {below}");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (net.ipv4.ip_local_port_range), 32768 where unreadable.</summary>
    private static int EphemeralRangeStart()
    {
        const string rangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        if (!File.Exists(rangeFile)) return 32768;
        var first = File.ReadAllText(rangeFile).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
        return int.TryParse(first, out var start) && start > Lowest + 1000 ? start : 32768;
    }
}
