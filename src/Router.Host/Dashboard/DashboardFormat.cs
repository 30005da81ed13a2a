using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Router.Host.Dashboard;

/// <summary>How the dashboard prints numbers: invariant, and costs to the request log's full precision.</summary>
public static class DashboardFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Count(long value) => value.ToString("#,0", Invariant);

    public static string Cost(decimal value) => "$" + value.ToString("0.00##########", Invariant);

    public static string Ms(double value) => value.ToString("0.#", Invariant) + " ms";

    public static string Ms(double? value) => value is { } v ? Ms(v) : "–";

    public static string Percent(double ratio) => (ratio * 100).ToString("0.#", Invariant) + " %";

    /// <summary>"1h", "30m", "7d 12h": the largest units that are not zero.</summary>
    public static string Duration(TimeSpan span)
    {
        var parts = new List<string>();
        if (span.Days > 0) parts.Add($"{span.Days}d");
        if (span.Hours > 0) parts.Add($"{span.Hours}h");
        if (span.Minutes > 0) parts.Add($"{span.Minutes}m");
        if (span.Seconds > 0 || parts.Count == 0) parts.Add($"{span.Seconds}s");
        return string.Join(' ', parts);
    }

    public static string Number(double value) => value.ToString("0.###", Invariant);

    /// <summary>JSON as the provider sent it, indented for reading; Razor escapes it for HTML when it is rendered.</summary>
    public static string Json(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            element.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
