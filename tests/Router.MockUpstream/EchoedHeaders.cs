namespace Router.MockUpstream;

/// <summary>
/// A careless provider's error: the request's headers written back into the message, credentials included, as
/// some gateways and debug builds do. The <c>fail-echo-headers</c> models answer with it, so a test can see whether
/// the router passes a provider key it sent on to its client.
/// </summary>
public static class EchoedHeaders
{
    public const string Model = "fail-echo-headers";
    public const string StreamModel = "stream-error-echo-headers";

    public static string Of(HttpContext context) =>
        "Bad request. Headers received: " + string.Join("; ", context.Request.Headers.Select(h => $"{h.Key}: {h.Value}"));
}
