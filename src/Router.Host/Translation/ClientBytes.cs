using Router.Contracts.Wire;

namespace Router.Host.Translation;

/// <summary>A request's body for a bridge to read: the client's bytes as sent, or written anew when the router changed it.</summary>
public static class ClientBytes
{
    public static ReadOnlyMemory<byte> Of(ProxyRequest request) =>
        request.Source ?? ProxyRequestWriter.Write(request);
}
