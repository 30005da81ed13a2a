using Akka.Configuration;
using Akka.Configuration.Hocon;
using Router.Contracts.Configuration;

namespace Router.Host.Configuration;

/// <summary><c>router.alerts</c>, failing at start with the setting at fault; a token or URL is never repeated in an error.</summary>
public static partial class RouterSettingsReader
{
    /// <summary>Every key of a <c>router.alerts.targets</c> entry.</summary>
    public static readonly IReadOnlyList<string> AlertTargetKeys = ["name", "format", "url", "token", "token-file", "events"];

    private static readonly Dictionary<string, AlertFormat> AlertFormats = new(StringComparer.Ordinal)
    {
        ["generic"] = AlertFormat.Generic,
        ["ntfy"] = AlertFormat.Ntfy,
        ["gotify"] = AlertFormat.Gotify,
        ["discord"] = AlertFormat.Discord,
        ["slack"] = AlertFormat.Slack,
    };

    private static AlertsSettings ReadAlerts(Config router)
    {
        var standard = AlertsSettings.Standard;
        TimeSpan Positive(string key, TimeSpan otherwise)
        {
            var value = AlertSpan(router, key, otherwise);
            return value > TimeSpan.Zero ? value : throw new ConfigException($"router.alerts.{key} must be positive");
        }
        int AtLeastOne(string key, int otherwise)
        {
            var value = router.GetInt("alerts." + key, otherwise);
            return value >= 1 ? value : throw new ConfigException($"router.alerts.{key} must be a whole number of at least 1");
        }
        return new AlertsSettings(
            ReadAlertTargets(router),
            Positive("sample-interval", standard.SampleInterval),
            AlertSpan(router, "hold-off", standard.HoldOff) is var holdOff && holdOff >= TimeSpan.Zero
                ? holdOff
                : throw new ConfigException("router.alerts.hold-off must not be negative"),
            Positive("provider-failing-after", standard.ProviderFailingAfter),
            AtLeastOne("request-log-backlog", standard.RequestLogBacklog),
            AtLeastOne("settlement-backlog", standard.SettlementBacklog),
            AtLeastOne("history", standard.History),
            AtLeastOne("attempts", standard.Attempts),
            Positive("retry-delay", standard.RetryDelay));
    }

    private static TimeSpan AlertSpan(Config router, string key, TimeSpan otherwise)
    {
        try
        {
            return router.GetTimeSpan("alerts." + key, otherwise);
        }
        catch (FormatException)
        {
            throw new ConfigException($"router.alerts.{key} must be a duration such as 30s, 5m or 1h");
        }
    }

    private static List<AlertTarget> ReadAlertTargets(Config router)
    {
        List<AlertTarget> targets = [];
        if (!router.HasPath("alerts.targets")) return targets;
        var value = router.GetValue("alerts.targets");
        if (value.IsString() || value.IsObject()) throw new ConfigException("router.alerts.targets must be a list of { name, format, url } objects");
        // Akka's HOCON calls an empty list neither a list nor empty: [] is no target.
        if (!value.IsArray()) return targets;
        var index = 0;
        foreach (var item in value.GetArray())
        {
            var at = $"router.alerts.targets[{index++}]";
            var entry = item.IsObject() ? item.GetObject() : throw new ConfigException($"{at} is not an object {{ name, format, url }}");
            var target = ReadAlertTarget(entry, at);
            if (targets.Exists(t => t.Name == target.Name))
                throw new ConfigException($"{at}.name '{target.Name}' is used by another target; each target needs its own name");
            targets.Add(target);
        }
        return targets;
    }

    private static AlertTarget ReadAlertTarget(HoconObject entry, string at)
    {
        if (entry.Items.Keys.FirstOrDefault(k => !AlertTargetKeys.Contains(k)) is { } unknown)
            throw new ConfigException($"{at}.{unknown} is not one of: {string.Join(", ", AlertTargetKeys)}");
        string? Field(string key) => entry.GetKey(key) is { } v && v.IsString() && v.GetString() is { Length: > 0 } text ? text.Trim() : null;

        var name = Field("name") ?? throw new ConfigException($"{at}.name is required (it names the target in /ui/alerts and `router alerts test`)");
        at = $"router.alerts.targets[{name}]";
        var formatText = Field("format") ?? "generic";
        if (!AlertFormats.TryGetValue(formatText, out var format))
            throw new ConfigException($"{at}.format '{formatText}' is not one of: {string.Join(", ", AlertFormats.Keys)}");
        // The URL's text is never repeated: Discord's and Slack's webhook URLs hold their token.
        var urlText = Field("url") ?? throw new ConfigException($"{at}.url is required");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
            throw new ConfigException($"{at}.url is not an http:// or https:// URL");

        var inline = Field("token");
        var file = Field("token-file");
        if (inline is not null && file is not null)
            throw new ConfigException($"{at}: set token or token-file, not both");
        var token = file is not null ? SecretFile.Read($"{at}.token-file", file) : inline;
        if (format == AlertFormat.Gotify && token is null)
            throw new ConfigException($"{at}.token (or token-file) is required: Gotify takes messages only with an application token");

        HashSet<string> events = new(StringComparer.Ordinal);
        if (entry.GetKey("events") is { } list && !(list.IsString() && list.GetString().Length == 0))
        {
            if (!list.IsArray()) throw new ConfigException($"{at}.events must be a list of event names");
            foreach (var e in list.GetArray().Select(v => v.GetString()))
                events.Add(AlertEvents.All.Contains(e)
                    ? e
                    : throw new ConfigException($"{at}.events: '{e}' is not one of: {string.Join(", ", AlertEvents.All)}"));
        }
        return new AlertTarget(name, format, url, token, events);
    }
}
