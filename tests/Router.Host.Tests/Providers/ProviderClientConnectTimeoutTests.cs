using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Router.Contracts.Configuration;
using Router.Host.Providers;
using Router.Host.Translation;

namespace Router.Host.Tests.Providers;

/// <summary>
/// A deployment's connect timeout applies to its own calls, though every deployment of a provider
/// shares one connection pool. A listener that never accepts, with its queue full, makes connects hang.
/// </summary>
public sealed class ProviderClientConnectTimeoutTests : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _queued = [];

    public ProviderClientConnectTimeoutTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        // Fill the accept queue: further handshakes get no answer, so connecting hangs.
        for (var i = 0; i < 4; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try { socket.Connect(_listener.LocalEndPoint!); } catch (SocketException) { }
            _queued.Add(socket);
        }
    }

    [Fact]
    public async Task A_call_gives_up_connecting_after_its_own_connect_timeout()
    {
        var port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        var provider = new ProviderSettings("slow", ProviderType.OpenAiCompatible, new Uri($"http://127.0.0.1:{port}/v1"), null, false,
            new Dictionary<string, string>(),
            new ProviderTimeouts(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60)));
        using var client = new ProviderClient(provider);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() =>
            client.SendAsync(new UpstreamCall("/chat/completions", "{}"u8.ToArray(), UpstreamCall.NoHeaders), TimeSpan.FromMilliseconds(300),
                TestContext.Current.CancellationToken));

        Assert.IsType<TimeoutException>(failure.InnerException);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        foreach (var socket in _queued) socket.Dispose();
        _listener.Dispose();
    }
}
