using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Router.Host.RequestLog;

/// <summary>
/// The request log's entries between a request and the writer's next batch, bounded at <c>capacity</c>. An entry waits as bytes
/// (<see cref="RequestLogEntryCodec"/>) in an array kept from entry to entry, and is made an entry again only as its batch is
/// written (<see cref="TakenBatch"/>): entries waiting as objects, through the writer's poll interval and any backlog,
/// outlived each garbage collection under load, which copied them: at 32 connections 650 of the 890 KB a gen0 collection
/// kept, its pause 4.4 ms against 1.6 with the log off (bench/README, issue 24). Arrays of bytes hold nothing the collector
/// follows, and the pool's are made where a young collection never copies them.
/// </summary>
public sealed class WaitingRows(int capacity)
{
    // An entry is a few hundred bytes; one larger than this (a long error body, large metadata) gets an array of its own.
    private const int ArrayBytes = 1024;
    private const int MaxScratchBytes = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _scratch;

    private readonly Channel<Encoded> _channel = Channel.CreateBounded<Encoded>(new BoundedChannelOptions(capacity)
    {
        FullMode = BoundedChannelFullMode.Wait, // TryWrite returns false instead of waiting
        SingleReader = true,
    });

    // Arrays of one size, taken and given back without a lock. With ArrayPool's configurable pool, which locks a size's arrays
    // on each rent and return (the writer gives back a batch's thousand at once), 32 connections served 10% fewer requests a
    // second in 10 rounds of 10; with this one, as many as before. At most a quarter of the bound is kept: beyond it, the
    // arrays a backlog needs are made anew (at 32 connections a backlog swung up to 8,000 entries, and 1,200 arrays a second
    // were made) and given up once it is written.
    private readonly ConcurrentQueue<byte[]> _arrays = new();
    private readonly int _maxKept = Math.Max(1, capacity / 4);
    private int _kept;
    private readonly LogStrings _strings = new();

    /// <summary>
    /// An entry as it waits: its bytes are the first <see cref="Length"/> of <see cref="Bytes"/>, an array of the pool's; it
    /// writes <see cref="Rows"/> rows (<see cref="RequestLogEntry.RowCount"/>).
    /// </summary>
    public readonly record struct Encoded(byte[] Bytes, int Length, int Rows);

    /// <summary>How many entries wait.</summary>
    public int Count => _channel.Reader.Count;

    /// <summary>Ends when no entry will come any more and none waits.</summary>
    public Task Completion => _channel.Reader.Completion;

    /// <summary><paramref name="entry"/> as it would wait; <see cref="TryAdd"/> or <see cref="AddAsync"/> it, or else <see cref="Release"/> it.</summary>
    public Encoded Encode(RequestLogEntry entry)
    {
        var scratch = _scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        RequestLogEntryCodec.Write(entry, scratch);
        var bytes = Rent(scratch.WrittenCount);
        scratch.WrittenSpan.CopyTo(bytes);
        var encoded = new Encoded(bytes, scratch.WrittenCount, entry.RowCount);
        // A thread does not keep what one large entry (a long error body, large metadata) made its scratch grow to.
        if (scratch.Capacity > MaxScratchBytes) _scratch = null;
        return encoded;
    }

    /// <summary>Adds the entry if there is room now; false when it is full or complete (the entry is then still the caller's).</summary>
    public bool TryAdd(Encoded entry) => _channel.Writer.TryWrite(entry);

    /// <summary>Adds the entry once there is room; throws when <paramref name="ct"/> is cancelled or no entry is taken any more.</summary>
    public ValueTask AddAsync(Encoded entry, CancellationToken ct) => _channel.Writer.WriteAsync(entry, ct);

    /// <summary>Gives an entry's bytes back to the pool: one that was not added, or one taken and made an entry again.</summary>
    public void Release(Encoded entry) => Return(entry.Bytes);

    /// <summary>The next waiting entry, still as bytes (<see cref="Decode"/>, then <see cref="Release"/>); false when none waits. One reader at a time.</summary>
    public bool TryTake(out Encoded entry) => _channel.Reader.TryRead(out entry);

    /// <summary>A taken entry made an entry again; its bytes are still to be released. One thread at a time.</summary>
    public RequestLogEntry Decode(Encoded entry) => RequestLogEntryCodec.Read(entry.Bytes.AsSpan(0, entry.Length), _strings);

    /// <summary>Waits until an entry waits (true) or none will come any more (false).</summary>
    public ValueTask<bool> WaitAsync(CancellationToken ct) => _channel.Reader.WaitToReadAsync(ct);

    private byte[] Rent(int length)
    {
        if (length > ArrayBytes) return new byte[length];
        // On the pinned object heap, which only a full collection looks at: an array waits for the writer, often through a young
        // collection, and one made on the young heap was copied out of it then (at 32 connections, 120-250 KB of the 360-470 KB
        // a young collection kept; with these, 262-265 KB, the log off's 235-238: bench/README, issue 24).
        if (!_arrays.TryDequeue(out var array)) return GC.AllocateUninitializedArray<byte>(ArrayBytes, pinned: true);
        Interlocked.Decrement(ref _kept);
        return array;
    }

    private void Return(byte[] array)
    {
        if (array.Length != ArrayBytes) return;
        if (Interlocked.Increment(ref _kept) > _maxKept)
        {
            Interlocked.Decrement(ref _kept);
            return;
        }
        _arrays.Enqueue(array);
    }

    /// <summary>
    /// Gives up the arrays the pool keeps. They are on the pinned object heap, which is never compacted: kept arrays
    /// scattered over its regions kept every region they were in, and 44 MB of it (41 MB free) stayed after a load and its
    /// trim (bench/README, issue 24). Arrays still waiting come back to the pool as usual.
    /// </summary>
    public void ReleaseKept()
    {
        while (_arrays.TryDequeue(out _)) Interlocked.Decrement(ref _kept);
    }

    /// <summary>No entry is added any more; those waiting can still be taken.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
