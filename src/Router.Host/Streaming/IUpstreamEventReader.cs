namespace Router.Host.Streaming;

/// <summary>
/// Reads a provider's streamed answer one event at a time, as its dialect frames it: server-sent events
/// for most (<see cref="SseEventReader"/>); a provider that streams otherwise (newline-delimited JSON,
/// a binary event stream) presents each message as an event whose <see cref="SseEvent.Data"/> is its payload.
/// </summary>
public interface IUpstreamEventReader : IAsyncDisposable
{
    /// <summary>The next event, or null when the upstream closed the stream.</summary>
    ValueTask<SseEvent?> ReadAsync(CancellationToken ct);
}
