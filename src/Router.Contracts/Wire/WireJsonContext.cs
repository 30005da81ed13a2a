using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary>Source-generated (de)serialisation for everything the HTTP edge reads or writes.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(RawJsonElementConverter)])]
[JsonSerializable(typeof(ProxyRequest))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(DeploymentHealthList))]
[JsonSerializable(typeof(VirtualKeyInfo))]
[JsonSerializable(typeof(VirtualKeyInfoResponse))]
[JsonSerializable(typeof(VirtualKeyList))]
[JsonSerializable(typeof(VirtualKeysDeleted))]
[JsonSerializable(typeof(RequestLogPage))]
[JsonSerializable(typeof(SpendReport))]
[JsonSerializable(typeof(string))]
public sealed partial class WireJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context to write with: like <see cref="JsonSerializerContext"/>'s default but without
    /// escaping quotes and non-ASCII text, so error messages read as written. Bodies are JSON, never HTML.
    /// </summary>
    public static WireJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new RawJsonElementConverter() },
    });
}
