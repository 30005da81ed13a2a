using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Router.Host.Alerts;

/// <summary><c>GET /admin/alerts</c>: the node's last alerts, newest first, with each target's delivery.</summary>
/// <param name="Kept">How many alerts the node keeps (router.alerts.history), in its data directory: a restart keeps them.</param>
public sealed record AlertListView(string Node, int Kept, IReadOnlyList<string> Targets, IReadOnlyList<AlertView> Alerts);

/// <summary><c>POST /admin/alerts/test</c>: each target's outcome of the test notification.</summary>
public sealed record AlertTestResult(string Node, IReadOnlyList<DeliveryView> Deliveries);

/// <summary>Source-generated JSON of the alert endpoints, which the node writes and <c>router alerts</c> reads.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AlertListView))]
[JsonSerializable(typeof(AlertTestResult))]
public sealed partial class AlertsJsonContext : JsonSerializerContext
{
    public static AlertsJsonContext Alerts { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    });
}
