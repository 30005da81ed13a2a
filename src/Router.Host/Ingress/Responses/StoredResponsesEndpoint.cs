using System.Text;
using Router.Host.Auth;
using Router.Host.Http;

namespace Router.Host.Ingress.Responses;

/// <summary>
/// <c>GET</c> and <c>DELETE /v1/responses/{id}</c> for the responses the router stored: the key that made one may read
/// and delete it; to any other key it does not exist (404, as an unknown id).
/// </summary>
public static class StoredResponsesEndpoint
{
    public static async Task GetAsync(HttpContext context, string id, KeyAuthenticator authenticator, ResponseStore store)
    {
        var requestId = RequestIds.Assign(context);
        try
        {
            var key = authenticator.Authenticate(context);
            var stored = await store.FindAsync(id, key.KeyId, context.RequestAborted) ?? throw NotFound(id);
            var body = Encoding.UTF8.GetBytes(stored.Json);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
    }

    public static async Task DeleteAsync(HttpContext context, string id, KeyAuthenticator authenticator, ResponseStore store)
    {
        var requestId = RequestIds.Assign(context);
        try
        {
            var key = authenticator.Authenticate(context);
            if (!await store.DeleteAsync(id, key.KeyId, context.RequestAborted)) throw NotFound(id);
            var deleted = Translation.TranslationJson.Write(json =>
            {
                json.WriteStartObject();
                json.WriteString("id", id);
                json.WriteString("object", "response");
                json.WriteBoolean("deleted", true);
                json.WriteEndObject();
            });
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(deleted, context.RequestAborted);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
    }

    private static RouterError NotFound(string id) => RouterError.ObjectNotFound($"No response with id '{id}' was found.", "id");
}
