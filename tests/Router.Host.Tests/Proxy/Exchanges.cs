using System.Text.Json;
using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Configuration;
using Router.Host.Pricing;
using Router.Host.Proxy;

namespace Router.Host.Tests.Proxy;

/// <summary>What the request path's in-process tests build the same way: the configuration, and a request on its walk.</summary>
internal static class Exchanges
{
    // The master key: no estimate is counted for it, and the stand-in key actor answers it alone.
    private static readonly AuthenticatedKey Master = new(KeyAuthenticator.MasterKeyId, "master", "");

    /// <param name="hocon">The inside of the <c>router</c> block.</param>
    /// <param name="handlers">Each provider's stand-in, by provider name.</param>
    public static RoutingConfig Routing(string hocon, Func<string, HttpMessageHandler> handlers) =>
        RoutingConfig.Build(RouterSettingsReader.Read(ConfigurationFactory.ParseString("router {\n" + hocon + "\n}")),
            ModelCatalog.LoadShipped(), (ProviderSettings p) => handlers(p.Name));

    public static ProxyRequest Request(string model, bool stream = false) => JsonSerializer.Deserialize(
        $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Say hello to the tests"}]}""",
        WireJsonContext.Wire.ProxyRequest)!;

    public static ProxyExchange For(RoutingConfig routing, ClientConnection client, ProxyRequest request, Action<byte[]>? observeFrames = null) => new()
    {
        Context = client.Context,
        RequestId = "req_test",
        Operation = ProxyOperation.ChatCompletions,
        Key = Master,
        Request = request,
        Routing = routing,
        Route = routing.Routes.Resolve(request.Model!) ?? throw new InvalidOperationException($"No route for {request.Model}"),
        Trace = new RequestTrace(),
        ObserveFrames = observeFrames,
    };
}
