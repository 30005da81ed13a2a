using Microsoft.AspNetCore.Http;
using Router.Host.Http;

namespace Router.Host.Tests.Http;

public sealed class PooledBodyTests
{
    private const long MaxBodyBytes = 16 * 1024 * 1024;

    [Theory]
    [InlineData(0, false)]
    [InlineData(10, true)]
    [InlineData(16 * 1024, false)] // exactly the first buffer of a body of unknown length: one more read finds its end
    [InlineData(200 * 1024, false)] // grown four times
    [InlineData(3 * 1024 * 1024, true)] // declared longer than the most reserved before it arrives
    public async Task The_whole_body_is_read_whatever_its_length(int length, bool declared)
    {
        var sent = new byte[length];
        new Random(length).NextBytes(sent);

        using var body = await PooledBody.ReadAsync(Request(sent, declared), MaxBodyBytes, CancellationToken.None);

        Assert.True(body.Span.SequenceEqual(sent));
    }

    [Fact]
    public async Task A_body_that_arrives_in_small_pieces_is_read_whole()
    {
        var sent = new byte[50_000];
        new Random(7).NextBytes(sent);
        var request = new DefaultHttpContext().Request;
        request.Body = new TrickleStream(sent, 333);

        using var body = await PooledBody.ReadAsync(request, MaxBodyBytes, CancellationToken.None);

        Assert.True(body.Span.SequenceEqual(sent));
    }

    [Theory]
    [InlineData("Unexpected end of request content.", StatusCodes.Status400BadRequest)]
    [InlineData("Reading the request body timed out due to data arriving too slowly. See MinRequestBodyDataRate.", StatusCodes.Status408RequestTimeout)]
    public async Task A_body_kestrel_refuses_is_the_clients_error_with_kestrels_status_and_words(string cause, int status)
    {
        var request = new DefaultHttpContext().Request;
        request.Body = new RefusingStream(cause, status);

        var error = await Assert.ThrowsAsync<RouterError>(() => PooledBody.ReadAsync(request, MaxBodyBytes, CancellationToken.None).AsTask());

        Assert.Equal((status, "invalid_body"), (error.Status, error.Body.Code));
        Assert.EndsWith(cause, error.Body.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_cut_short_by_a_client_that_has_gone_is_a_request_abandoned()
    {
        var request = new DefaultHttpContext().Request;
        request.Body = new RefusingStream("Unexpected end of request content.", StatusCodes.Status400BadRequest);
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => PooledBody.ReadAsync(request, MaxBodyBytes, gone.Token).AsTask());
    }

    [Fact]
    public async Task A_body_kestrel_finds_past_the_limit_is_the_routers_413_naming_the_limit()
    {
        var request = new DefaultHttpContext().Request;
        request.Body = new RefusingStream("Request body too large.", StatusCodes.Status413PayloadTooLarge);

        var error = await Assert.ThrowsAsync<RouterError>(() => PooledBody.ReadAsync(request, MaxBodyBytes, CancellationToken.None).AsTask());

        Assert.Equal(413, error.Status);
        Assert.Contains($"{MaxBodyBytes} bytes", error.Body.Message);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(300, true)]
    [InlineData(200 * 1024, true)]
    [InlineData(200 * 1024, false)] // chunked, or decompressed: no length to go by
    public async Task A_providers_answer_is_read_whole_into_an_array_of_its_length(int length, bool declared)
    {
        var sent = new byte[length];
        new Random(length).NextBytes(sent);
        using var content = new StreamContent(new TrickleStream(sent, 4_000));
        content.Headers.ContentLength = declared ? length : null;

        var answer = await PooledBody.ReadAllAsync(content, CancellationToken.None);

        Assert.Equal(sent, answer);
    }

    [Fact]
    public async Task An_answer_shorter_than_its_declared_length_is_cut_short_not_returned()
    {
        using var content = new StreamContent(new MemoryStream(new byte[100]));
        content.Headers.ContentLength = 101;

        var cut = await Assert.ThrowsAsync<IOException>(() => PooledBody.ReadAllAsync(content, CancellationToken.None));

        Assert.Contains("100 of its 101 bytes", cut.Message);
    }

    private static HttpRequest Request(byte[] body, bool declared)
    {
        var request = new DefaultHttpContext().Request;
        request.Body = new MemoryStream(body);
        if (declared) request.ContentLength = body.Length;
        return request;
    }

    /// <summary>Refuses the read as Kestrel does a body past router.max-request-body-bytes, cut short, or too slow.</summary>
    private sealed class RefusingStream(string cause, int status) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new BadHttpRequestException(cause, status));
    }

    /// <summary>Gives at most a few bytes a read, as a slow client's packets come.</summary>
    private sealed class TrickleStream(byte[] data, int piece) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(piece, buffer.Length)], cancellationToken);
    }
}
