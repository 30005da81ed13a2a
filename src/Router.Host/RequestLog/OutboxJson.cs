using System.Text.Json.Serialization;

namespace Router.Host.RequestLog;

/// <summary>The outbox's batches as JSON, serialized by generated code rather than by reflection at every append.</summary>
[JsonSerializable(typeof(IReadOnlyList<RequestLogEntry>))]
internal sealed partial class OutboxJson : JsonSerializerContext;
