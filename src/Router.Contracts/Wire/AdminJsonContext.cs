using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Contracts.Wire;

/// <summary>
/// Source-generated (de)serialisation of the <c>/admin</c> endpoints' answers: the node writes them, the
/// <c>router</c> command line reads them.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ClusterView))]
[JsonSerializable(typeof(ClusterEventView))]
[JsonSerializable(typeof(ClusterActionResult))]
[JsonSerializable(typeof(ShardStatsView))]
[JsonSerializable(typeof(ShardLocation))]
[JsonSerializable(typeof(BreakerListView))]
[JsonSerializable(typeof(BreakerActionResult))]
[JsonSerializable(typeof(CacheStatsView))]
[JsonSerializable(typeof(LogPeekView))]
public sealed partial class AdminJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="WireJsonContext.Wire"/>: log lines and messages read as written.</summary>
    public static AdminJsonContext Admin { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
