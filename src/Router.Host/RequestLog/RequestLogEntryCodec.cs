using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Router.Host.RequestLog;

/// <summary>
/// A request log entry as bytes and back, every field in a fixed order: how a row waits for the writer (<see cref="WaitingRows"/>).
/// Strings are UTF-8 after their length (-1 for null); an entry reads back equal to the one written, its attempts and tags too.
/// </summary>
public static class RequestLogEntryCodec
{
    /// <summary>Writes <paramref name="entry"/> to <paramref name="output"/>.</summary>
    public static void Write(RequestLogEntry entry, IBufferWriter<byte> output)
    {
        var w = new Writer(output);
        w.Long(entry.Time.Ticks);
        w.Long(entry.Time.Offset.Ticks);
        w.Text(entry.RequestId);
        w.Text(entry.KeyId);
        w.Text(entry.KeyPrefix);
        w.Text(entry.KeyAlias);
        w.Text(entry.RequestedModel);
        w.Text(entry.RoutedModel);
        w.Text(entry.Provider);
        w.Text(entry.Deployment);
        w.Int(entry.Status);
        w.NullableInt(entry.UpstreamStatus);
        w.Text(entry.ErrorOrigin);
        w.Int(entry.PromptTokens);
        w.Int(entry.CompletionTokens);
        w.Int(entry.CachedTokens);
        w.Decimal(entry.Cost);
        w.Flags(entry.Estimated, entry.CacheHit, entry.Mocked);
        w.Text(entry.Cache);
        w.Decimal(entry.SavedCost);
        w.Double(entry.LatencyMs);
        w.NullableDouble(entry.TtftMs);
        w.Double(entry.OverheadMs);
        w.Text(entry.UpstreamError);
        w.Text(entry.Metadata);
        w.Int(entry.Tags.Count);
        foreach (var tag in entry.Tags) w.Text(tag);
        w.Int(entry.Attempts.Count);
        foreach (var attempt in entry.Attempts)
        {
            w.Int(attempt.Number);
            w.Text(attempt.Provider);
            w.Text(attempt.Deployment);
            w.Int(attempt.Status);
            w.NullableInt(attempt.UpstreamStatus);
            w.Double(attempt.LatencyMs);
            w.Text(attempt.ErrorOrigin);
            w.Text(attempt.Verdict);
        }
    }

    /// <summary>
    /// The entry <see cref="Write"/> wrote to <paramref name="bytes"/>. The strings a log repeats from row to row (keys, models,
    /// providers, deployments, verdicts) come from <paramref name="strings"/>; the request's own (its id, metadata, tags, error) are new.
    /// </summary>
    public static RequestLogEntry Read(ReadOnlySpan<byte> bytes, LogStrings strings)
    {
        var r = new Reader(bytes, strings);
        var time = new DateTimeOffset(r.Long(), new TimeSpan(r.Long()));
        var requestId = r.Text()!;
        var (keyId, keyPrefix, keyAlias) = (r.Repeated(), r.Repeated(), r.Repeated());
        var (requestedModel, routedModel, provider, deployment) = (r.Repeated(), r.Repeated(), r.Repeated(), r.Repeated());
        var (status, upstreamStatus, errorOrigin) = (r.Int(), r.NullableInt(), r.Repeated());
        var (promptTokens, completionTokens, cachedTokens, cost) = (r.Int(), r.Int(), r.Int(), r.Decimal());
        var flags = r.Byte();
        var (cache, savedCost, latencyMs, ttftMs) = (r.Repeated(), r.Decimal(), r.Double(), r.NullableDouble());
        var (overheadMs, upstreamError, metadata) = (r.Double(), r.Text(), r.Text());
        var tags = r.Int() is var tagCount and > 0 ? new string[tagCount] : [];
        for (var i = 0; i < tags.Length; i++) tags[i] = r.Text()!;
        var attempts = r.Int() is var attemptCount and > 0 ? new AttemptLogEntry[attemptCount] : [];
        for (var i = 0; i < attempts.Length; i++)
        {
            attempts[i] = new AttemptLogEntry(r.Int(), r.Repeated(), r.Repeated(), r.Int(), r.NullableInt(), r.Double(), r.Repeated(),
                r.Repeated()!);
        }
        return new RequestLogEntry
        {
            Time = time, RequestId = requestId, KeyId = keyId, KeyPrefix = keyPrefix, KeyAlias = keyAlias,
            RequestedModel = requestedModel, RoutedModel = routedModel, Provider = provider, Deployment = deployment,
            Status = status, UpstreamStatus = upstreamStatus, ErrorOrigin = errorOrigin,
            PromptTokens = promptTokens, CompletionTokens = completionTokens, CachedTokens = cachedTokens, Cost = cost,
            Estimated = (flags & 1) != 0, CacheHit = (flags & 2) != 0, Mocked = (flags & 4) != 0,
            Cache = cache, SavedCost = savedCost, LatencyMs = latencyMs, TtftMs = ttftMs, OverheadMs = overheadMs,
            UpstreamError = upstreamError, Metadata = metadata, Tags = tags, Attempts = attempts,
        };
    }

    private readonly ref struct Writer(IBufferWriter<byte> output)
    {
        public void Int(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
            output.Advance(4);
        }

        public void Long(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
            output.Advance(8);
        }

        public void Double(double value) => Long(BitConverter.DoubleToInt64Bits(value));

        public void NullableInt(int? value)
        {
            Flags(value is not null);
            Int(value ?? 0);
        }

        public void NullableDouble(double? value)
        {
            Flags(value is not null);
            Double(value ?? 0);
        }

        public void Decimal(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            foreach (var part in bits) Int(part);
        }

        public void Flags(bool first, bool second = false, bool third = false)
        {
            output.GetSpan(1)[0] = (byte)((first ? 1 : 0) | (second ? 2 : 0) | (third ? 4 : 0));
            output.Advance(1);
        }

        public void Text(string? value)
        {
            if (value is null)
            {
                Int(-1);
                return;
            }
            var span = output.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
            var length = Encoding.UTF8.GetBytes(value, span[4..]);
            BinaryPrimitives.WriteInt32LittleEndian(span, length);
            output.Advance(4 + length);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes, LogStrings strings)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public double Double() => BitConverter.Int64BitsToDouble(Long());

        public byte Byte() => Take(1)[0];

        public int? NullableInt()
        {
            var present = Byte() != 0;
            var value = Int();
            return present ? value : null;
        }

        public double? NullableDouble()
        {
            var present = Byte() != 0;
            var value = Double();
            return present ? value : null;
        }

        public decimal Decimal()
        {
            Span<int> bits = [Int(), Int(), Int(), Int()];
            return new decimal(bits);
        }

        public string? Text() => Int() is var length and >= 0 ? Encoding.UTF8.GetString(Take(length)) : null;

        public string? Repeated() => Int() is var length and >= 0 ? strings.Get(Take(length)) : null;

        private ReadOnlySpan<byte> Take(int length)
        {
            var taken = _bytes.Slice(_at, length);
            _at += length;
            return taken;
        }
    }
}
