using System.Net;
using System.Text;
using Router.Host.Tests.Streaming;

namespace Router.Host.Tests.Proxy;

/// <summary>
/// Stands in for a provider under a <c>ProviderClient</c>, as YARP's forwarder tests stand in for the
/// destination: each call gets the next canned answer, and no process or socket takes part.
/// </summary>
internal sealed class FakeProvider(Func<HttpResponseMessage> answer) : HttpMessageHandler
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        var response = answer();
        response.RequestMessage = request;
        return Task.FromResult(response);
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    /// <summary>A streamed answer played from <paramref name="parts"/> (see <see cref="ScriptedStream"/>).</summary>
    public static HttpResponseMessage Stream(params object[] parts) =>
        new(HttpStatusCode.OK) { Content = new StreamContent(new ScriptedStream(parts)) { Headers = { ContentType = new("text/event-stream") } } };

    /// <summary>An OpenAI chunk with some answer text, as an SSE event.</summary>
    public static string Chunk(string text) =>
        $$$"""data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"{{{text}}}"}}]}""" + "\n\n";

    public static string UsageChunk(int prompt, int completion) =>
        $$$"""data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}},"total_tokens":{{{prompt + completion}}}}}""" + "\n\n";

    public const string Done = "data: [DONE]\n\n";
}

/// <summary>
/// A provider's response body read part by part: a string is sent as it is, an exception is thrown (the
/// connection cut), <see cref="Hang"/> sends nothing until the reader gives up; after the last part the body ends.
/// </summary>
internal sealed class ScriptedStream(IEnumerable<object> parts) : ReadOnlyTestStream
{
    public static readonly object Hang = new();

    private readonly IEnumerator<object> _parts = parts.GetEnumerator();
    private ReadOnlyMemory<byte> _left;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        while (_left.IsEmpty)
        {
            if (!_parts.MoveNext()) return 0;
            switch (_parts.Current)
            {
                case string text: _left = Encoding.UTF8.GetBytes(text); break;
                case Exception e: throw e;
                default: await Task.Delay(Timeout.Infinite, ct); break;
            }
        }
        var count = Math.Min(buffer.Length, _left.Length);
        _left[..count].CopyTo(buffer);
        _left = _left[count..];
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, default).GetAwaiter().GetResult();
}
