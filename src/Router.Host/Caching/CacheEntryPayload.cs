using System.Text;
using Router.Contracts.Wire;

namespace Router.Host.Caching;

/// <summary>A cached answer as bytes: what <see cref="CacheEntryEnvelope"/> authenticates and carries.</summary>
public static class CacheEntryPayload
{
    public static byte[] Write(CachedResponse value)
    {
        using var stream = new MemoryStream(value.Body.Length + 64);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(value.StoredAt.UtcTicks);
            writer.Write(value.Cost);
            var usage = value.Usage;
            writer.Write(usage.PromptTokens);
            writer.Write(usage.CompletionTokens);
            writer.Write(usage.CachedPromptTokens);
            writer.Write(usage.CacheWriteTokens);
            writer.Write(usage.ReasoningTokens);
            writer.Write(usage.ReportedCost.HasValue);
            if (usage.ReportedCost is { } reported) writer.Write(reported);
            writer.Write(value.Body.Length);
            writer.Write(value.Body);
            writer.Write(value.Producer.Model);
            writer.Write(value.Producer.Provider);
            writer.Write(value.Producer.UpstreamModel);
        }
        return stream.ToArray();
    }

    public static bool TryRead(byte[] payload, out CachedResponse? value)
    {
        value = null;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
            var storedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var cost = reader.ReadDecimal();
            var usage = new TokenUsage(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
            if (reader.ReadBoolean()) usage = usage with { ReportedCost = reader.ReadDecimal() };
            var length = reader.ReadInt32();
            var body = reader.ReadBytes(length);
            if (body.Length != length) return false;
            var producer = new CacheProducer(reader.ReadString(), reader.ReadString(), reader.ReadString());
            value = new CachedResponse(body, usage, cost, storedAt, producer);
            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or OverflowException)
        {
            return false;
        }
    }
}
