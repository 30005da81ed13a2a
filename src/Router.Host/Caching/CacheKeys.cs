using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Router.Contracts.Wire;

namespace Router.Host.Caching;

/// <summary>
/// The key of a request's cache entry. The hash covers everything that changes the answer: the operation,
/// the routed model and every request field except <c>model</c>, <c>user</c>, <c>stream</c>,
/// <c>stream_options</c> and <c>metadata</c>, written canonically (object keys sorted recursively, strings
/// unescaped), so field order and JSON spelling do not matter. It covers the namespace too, so the hash
/// alone names one entry.
/// </summary>
public static class CacheKeys
{
    public const string DefaultNamespace = "default";

    private static readonly HashSet<string> Ignored = ["model", "user", "stream", "stream_options", "metadata"];

    public static CacheEntryKey For(string @namespace, string routedModel, string operation, ProxyRequest request)
    {
        var ns = string.IsNullOrEmpty(@namespace) ? DefaultNamespace : @namespace;
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("v", "1");
            json.WriteString("namespace", ns);
            json.WriteString("operation", operation);
            json.WriteString("model", routedModel);
            json.WriteStartObject("request");
            if (request.Rest is { } rest)
                foreach (var (name, value) in rest.Where(p => !Ignored.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WritePropertyName(name);
                    WriteCanonical(json, value);
                }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
        return new CacheEntryKey(ns, routedModel, hash);
    }

    private static void WriteCanonical(Utf8JsonWriter json, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    json.WritePropertyName(property.Name);
                    WriteCanonical(json, property.Value);
                }
                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in value.EnumerateArray()) WriteCanonical(json, item);
                json.WriteEndArray();
                break;
            case JsonValueKind.String:
                json.WriteStringValue(value.GetString());
                break;
            default:
                value.WriteTo(json); // numbers as written, true, false, null
                break;
        }
    }
}
