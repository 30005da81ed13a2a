using System.Net;

namespace Router.Host.Tests.Providers;

/// <summary>
/// Stands in for the network under a <c>ProviderClient</c>: keeps what was sent (the body read before the
/// client disposes the request) and answers 200 with an empty JSON object.
/// </summary>
internal sealed class CapturingHandler : HttpMessageHandler
{
    public HttpRequestMessage? Request { get; private set; }

    public byte[] Body { get; private set; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        Request = request;
        Body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(ct);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("{}"u8.ToArray()), RequestMessage = request };
    }
}
