using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Auth;

namespace Router.Host.Caching;

/// <summary>
/// The key of a request's cache entry. The hash covers everything that changes the answer: the operation,
/// the provider and the model it is sent to, and every request field except <c>model</c>, <c>user</c>, <c>stream</c>,
/// <c>stream_options</c> and <c>metadata</c>, written canonically (object keys sorted recursively, strings
/// unescaped), so field order and JSON spelling do not matter. It covers the namespace and the entry's owner
/// too (see <see cref="CacheOwner"/>), so the hash alone names one entry.
/// </summary>
public static class CacheKeys
{
    private static readonly HashSet<string> Ignored = ["model", "user", "stream", "stream_options", "metadata"];

    // One writer per thread, reset for each key: keys are made on every cacheable request.
    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] private static Utf8JsonWriter? _writer;

    /// <param name="owner">The key id whose entry it is; null for an entry of a shared namespace.</param>
    public static CacheEntryKey For(string @namespace, string? owner, string provider, string routedModel, string operation, ProxyRequest request)
    {
        var ns = string.IsNullOrEmpty(@namespace) ? CacheNamespace.Default : @namespace;
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var json = _writer ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteString("v", "3");
        json.WriteString("namespace", ns);
        // Null, never a key id, for a shared namespace: no key's own entry can share a hash with a shared one.
        if (owner is null) json.WriteNull("owner");
        else json.WriteString("owner", owner);
        json.WriteString("operation", operation);
        json.WriteString("provider", provider);
        json.WriteString("model", routedModel);
        json.WriteStartObject("request");
        if (request.Rest is { Count: > 0 } rest)
        {
            var fields = Members.Rent(rest.Count);
            var count = 0;
            foreach (var field in rest)
                if (!Ignored.Contains(field.Key)) fields[count++] = field;
            WriteSortedAndReturn(json, fields, count);
        }
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Sha256.Hash(buffer.WrittenSpan, hash);
        return new CacheEntryKey(ns, routedModel, Convert.ToHexStringLower(hash));
    }

    // An object's members are sorted in a rented array, not a list of their own: a conversation is an object per message.
    private static readonly ArrayPool<KeyValuePair<string, JsonElement>> Members = ArrayPool<KeyValuePair<string, JsonElement>>.Shared;

    /// <summary>Writes the first <paramref name="count"/> members sorted by name, each canonically, and gives the array back to the pool.</summary>
    private static void WriteSortedAndReturn(Utf8JsonWriter json, KeyValuePair<string, JsonElement>[] members, int count)
    {
        members.AsSpan(0, count).Sort(ByName);
        for (var i = 0; i < count; i++)
        {
            json.WritePropertyName(members[i].Key);
            WriteCanonical(json, members[i].Value);
        }
        Members.Return(members, clearArray: true);
    }

    // A delegate, not a comparer: Array.Sort makes a delegate of a comparer's Compare on every call (108 bytes a request).
    private static readonly Comparison<KeyValuePair<string, JsonElement>> ByName = (a, b) => string.CompareOrdinal(a.Key, b.Key);

    private static void WriteCanonical(Utf8JsonWriter json, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                var members = Members.Rent(value.GetPropertyCount());
                var count = 0;
                foreach (var property in value.EnumerateObject()) members[count++] = new(property.Name, property.Value);
                WriteSortedAndReturn(json, members, count);
                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in value.EnumerateArray()) WriteCanonical(json, item);
                json.WriteEndArray();
                break;
            default:
                // Strings unescaped and written again in the writer's one spelling, from the request's own bytes (no string of
                // their text, which in a long conversation is most of the request); numbers as written; true, false, null.
                value.WriteTo(json);
                break;
        }
    }
}
