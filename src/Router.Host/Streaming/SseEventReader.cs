using System.Buffers;
using System.IO.Pipelines;

namespace Router.Host.Streaming;

/// <summary>Reads server-sent events off an upstream body as they arrive, one complete event at a time.</summary>
public sealed class SseEventReader(Stream body) : IUpstreamEventReader
{
    private readonly PipeReader _reader = PipeReader.Create(body, new StreamPipeReaderOptions(leaveOpen: true));

    public async ValueTask<SseEvent?> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(ct);
            var buffer = result.Buffer;
            if (TryFindEventEnd(buffer, out var end))
            {
                var raw = buffer.Slice(0, end).ToArray();
                _reader.AdvanceTo(end);
                return SseEvent.Parse(raw);
            }
            if (result.IsCompleted)
            {
                // A last event without its blank line still counts; whitespace alone does not.
                var rest = buffer.ToArray();
                _reader.AdvanceTo(buffer.End);
                return rest.Any(b => b is not ((byte)'\n' or (byte)'\r' or (byte)' ')) ? SseEvent.Parse(rest) : null;
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryFindEventEnd(ReadOnlySequence<byte> buffer, out SequencePosition end)
    {
        var reader = new SequenceReader<byte>(buffer);
        var sawContent = false;
        while (reader.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n'))
        {
            if (line is [.., (byte)'\r']) line = line[..^1];
            if (!line.IsEmpty)
            {
                sawContent = true;
                continue;
            }
            if (sawContent)
            {
                end = reader.Position;
                return true;
            }
        }
        end = default;
        return false;
    }

    public ValueTask DisposeAsync() => _reader.CompleteAsync();
}
