using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Ingress;

/// <summary>An ingress's request body, read whole (its bytes travel on for a provider that takes them as written).</summary>
public static class IngressBody
{
    /// <summary>The body as the walk carries it, with the client's bytes kept in <see cref="ProxyRequest.Source"/>.</summary>
    public static async Task<ProxyRequest> ReadRequestAsync(HttpContext context, long maxBodyBytes)
    {
        var body = await ReadAsync(context, maxBodyBytes);
        ProxyRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(body, WireJsonContext.Wire.ProxyRequest);
        }
        catch (JsonException e)
        {
            throw RouterError.InvalidRequest($"The request body is not valid JSON: {e.Message}", code: "invalid_json");
        }
        if (request is null) throw RouterError.InvalidRequest("The request body must be a JSON object.", code: "invalid_json");
        return new ProxyRequest { Model = request.Model, Stream = request.Stream, StreamOptions = request.StreamOptions, Rest = request.Rest, Source = body };
    }

    public static async Task<byte[]> ReadAsync(HttpContext context, long maxBodyBytes)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            return body.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw RouterError.BodyTooLarge(maxBodyBytes);
        }
    }
}
