using Router.Host.Http;

namespace Router.Host.Ingress;

/// <summary>An ingress's request body, read whole (its bytes travel on for a provider that takes them as written).</summary>
public static class IngressBody
{
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
