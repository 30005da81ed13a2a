using Router.Host.Auth;
using Router.Host.Http;

namespace Router.Host.Keys;

/// <summary>
/// How every admin endpoint starts and ends: 401 without a valid key, 403 for a (current) virtual
/// key, and every refusal or failure in the router's error envelope.
/// </summary>
public static class MasterOnly
{
    public static async Task RunAsync(
        HttpContext context, KeyAuthenticator authenticator, KeyAdmin admin, string endpoint, Func<CancellationToken, Task> handle)
    {
        var requestId = RequestIds.Assign(context);
        var ct = context.RequestAborted;
        try
        {
            var caller = authenticator.Authenticate(context);
            if (!caller.IsMaster)
            {
                await admin.RequireCurrentAsync(caller, ct);
                throw RouterError.Forbidden($"{endpoint} needs the master key.");
            }
            await handle(ct);
        }
        catch (RouterError error)
        {
            await ErrorWriter.WriteAsync(context, error, requestId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.RequestServices.GetRequiredService<ILogger<KeyAdmin>>()
                .LogError(e, "Request {RequestId} to {Endpoint} failed inside the router", requestId, endpoint);
            await ErrorWriter.WriteAsync(context, RouterError.Internal(), requestId);
        }
    }
}
