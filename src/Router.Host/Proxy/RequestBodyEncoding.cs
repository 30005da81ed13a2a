using System.Runtime.InteropServices;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Proxy;

/// <summary>
/// JSON must be UTF-8, and System.Text.Json checks the strings it decodes (the typed fields such as
/// <c>model</c>) but keeps every other field as raw bytes, unchecked: a translation reading one later would
/// fail with a 500, and a provider reached without translation would be sent the broken bytes. The body is
/// checked once on arrival instead, so invalid UTF-8 is a 400 naming the field it is in.
/// </summary>
public static class RequestBodyEncoding
{
    public static void RequireValidUtf8(ProxyRequest request)
    {
        if (request.Rest is null) return;
        foreach (var (name, value) in request.Rest)
        {
            if (!System.Text.Unicode.Utf8.IsValid(JsonMarshal.GetRawUtf8Value(value)))
                throw RouterError.InvalidRequest($"The request body is not valid UTF-8: '{name}' holds bytes that are no UTF-8 text.", name, "invalid_utf8");
        }
    }
}
