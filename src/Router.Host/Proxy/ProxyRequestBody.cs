using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Proxy;

/// <summary>
/// A client's body as the walk carries it, on every route that reads one (chat and the ingresses alike): JSON of one object
/// whose text is whole (<see cref="RequestBodyEncoding"/>), or a 400 saying what is wrong.
/// </summary>
public static class ProxyRequestBody
{
    /// <remarks>Every field the router does not type is copied out of <paramref name="body"/> as it is parsed, so the caller's buffer may go back to its pool after.</remarks>
    public static ProxyRequest Parse(ReadOnlySpan<byte> body)
    {
        ProxyRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(body, WireJsonContext.Wire.ProxyRequest);
        }
        catch (JsonException e)
        {
            throw RouterError.InvalidRequest($"The request body is not valid JSON for this endpoint: {e.Message}", code: "invalid_json");
        }
        if (request is null) throw RouterError.InvalidRequest("The request body must be a JSON object.", code: "invalid_json");
        RequestBodyEncoding.RequireValidText(request);
        return request;
    }
}
