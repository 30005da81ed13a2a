using System.Globalization;
using Router.Contracts.Wire;

namespace Router.Host.Dashboard;

/// <summary>How <c>/ui/keys</c> prints a key's times and limits.</summary>
public static class KeyFormat
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A request log time (ISO 8601 UTC text) as the page prints times; as stored if it is not one.</summary>
    public static string LogTime(string time) =>
        DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? Time(at) : time;

    /// <summary>"60 rpm · 100,000 tpm", or "none".</summary>
    public static string Limits(VirtualKeyInfo key)
    {
        var limits = new List<string>();
        if (key.RpmLimit is { } rpm) limits.Add(DashboardFormat.Count(rpm) + " rpm");
        if (key.TpmLimit is { } tpm) limits.Add(DashboardFormat.Count(tpm) + " tpm");
        return limits.Count == 0 ? "none" : string.Join(" · ", limits);
    }
}
