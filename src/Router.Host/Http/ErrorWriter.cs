using System.Globalization;
using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Http;

public static class ErrorWriter
{
    public static async Task WriteAsync(HttpContext context, RouterError error, string requestId)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json";
        if (error.RetryAfter is { } retryAfter)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var envelope = new ErrorEnvelope(error.Body with { RequestId = requestId });
        await JsonSerializer.SerializeAsync(context.Response.Body, envelope, WireJsonContext.Wire.ErrorEnvelope, context.RequestAborted);
    }

    /// <summary>One SSE event carrying an error, for failures after the stream was committed to 200.</summary>
    public static byte[] StreamEvent(ErrorBody body, string requestId) =>
        [.. "data: "u8, .. JsonSerializer.SerializeToUtf8Bytes(new ErrorEnvelope(body with { RequestId = requestId }), WireJsonContext.Wire.ErrorEnvelope), .. "\n\n"u8];
}
