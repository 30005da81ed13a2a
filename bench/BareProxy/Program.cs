// The floor under the router's added latency: Kestrel receives the request, one pooled HttpClient
// connection sends its body to the upstream, and the answer goes back as it arrives (a stream chunk by
// chunk). No keys, routing, parsing, accounting or logging. Usage: BareProxy UPSTREAM_BASE LISTEN_URL
var upstream = args[0].TrimEnd('/');
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
var app = builder.Build();
var client = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false });
var target = new Uri(upstream + "/chat/completions");

app.MapPost("/v1/chat/completions", async context =>
{
    using var body = new MemoryStream();
    await context.Request.Body.CopyToAsync(body, context.RequestAborted);
    using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body.ToArray()) };
    request.Content.Headers.ContentType = new("application/json");
    using var response = await client.SendAsync(request, context.RequestAborted);
    context.Response.StatusCode = (int)response.StatusCode;
    context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
    await using var answer = await response.Content.ReadAsStreamAsync(context.RequestAborted);
    var buffer = new byte[16 * 1024];
    int read;
    while ((read = await answer.ReadAsync(buffer, context.RequestAborted)) > 0)
    {
        await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
});
app.Run(args[1]);
