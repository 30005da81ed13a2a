using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Router.Contracts.Configuration;

namespace Router.Host.Alerts;

/// <summary>
/// Each target's request, in the shape its service documents: a generic JSON webhook; ntfy's publish (POST to
/// the topic URL, the message as the body, Title/Priority/Tags headers, an access token as Bearer); Gotify's
/// <c>POST /message</c> with the application token in <c>X-Gotify-Key</c> and <c>{title, message, priority}</c>;
/// a Discord incoming webhook's <c>{content, embeds[{title, description, color}]}</c>; a Slack incoming
/// webhook's <c>{text, blocks}</c>.
/// </summary>
public static class AlertPayloads
{
    // Discord caps an embed's description at 4096 characters and a message's content at 2000; Slack a section at 3000.
    private const int MaxText = 1900;

    public static HttpRequestMessage Request(AlertTarget target, AlertEvent alert) => target.Format switch
    {
        AlertFormat.Ntfy => Ntfy(target, alert),
        AlertFormat.Gotify => Gotify(target, alert),
        AlertFormat.Discord => JsonPost(target.Url, Discord(alert)),
        AlertFormat.Slack => JsonPost(target.Url, Slack(alert)),
        _ => WithBearer(JsonPost(target.Url, Generic(alert)), target.Token),
    };

    /// <summary>The generic webhook's body: <c>{event, severity, summary, details{...}, node, at}</c>.</summary>
    public static JsonObject Generic(AlertEvent alert) => new()
    {
        ["event"] = alert.Event,
        ["severity"] = Severity(alert.Severity),
        ["summary"] = alert.Summary,
        ["details"] = new JsonObject([.. alert.Details.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)JsonValue.Create(d.Value)))]),
        ["node"] = alert.Node,
        ["at"] = alert.At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };

    /// <summary>ntfy's priorities: 5 urgent, 4 high, 3 default.</summary>
    public static int NtfyPriority(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => 5,
        AlertSeverity.Warning => 4,
        _ => 3,
    };

    /// <summary>ntfy's tags; those that are emoji shortcodes show as the emoji before the title.</summary>
    public static string NtfyTags(AlertEvent alert) => $"{alert.Severity switch
    {
        AlertSeverity.Critical => "rotating_light",
        AlertSeverity.Warning => "warning",
        _ => "white_check_mark",
    }},{alert.Event}";

    /// <summary>Gotify's priorities: 8 and above pop up on Android, 4-7 sound, below 4 stay silent.</summary>
    public static int GotifyPriority(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => 8,
        AlertSeverity.Warning => 5,
        _ => 2,
    };

    /// <summary>A Discord embed's colour (decimal RGB): red, amber, green.</summary>
    public static int DiscordColor(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => 0xE74C3C,
        AlertSeverity.Warning => 0xF1C40F,
        _ => 0x2ECC71,
    };

    public static JsonObject Gotify(AlertEvent alert) => new()
    {
        ["title"] = alert.Title,
        ["message"] = Text(alert),
        ["priority"] = GotifyPriority(alert.Severity),
    };

    public static JsonObject Discord(AlertEvent alert) => new()
    {
        ["content"] = alert.Title,
        ["embeds"] = new JsonArray(new JsonObject
        {
            ["title"] = alert.Summary,
            ["description"] = Text(alert),
            ["color"] = DiscordColor(alert.Severity),
            ["timestamp"] = alert.At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        }),
    };

    public static JsonObject Slack(AlertEvent alert) => new()
    {
        // Slack shows `text` in notifications and where blocks cannot be drawn.
        ["text"] = alert.Title,
        ["blocks"] = new JsonArray(
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut(alert.Title, 150) },
            },
            new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Text(alert) },
            }),
    };

    /// <summary>The message as lines of text: the summary, each detail, the node and the time.</summary>
    public static string Text(AlertEvent alert)
    {
        var text = new StringBuilder(alert.Summary).Append('\n');
        foreach (var (name, value) in alert.Details) text.Append(name).Append(": ").Append(value).Append('\n');
        text.Append("event: ").Append(alert.Event).Append('\n');
        text.Append("severity: ").Append(Severity(alert.Severity)).Append('\n');
        text.Append("node: ").Append(alert.Node).Append('\n');
        text.Append("at: ").Append(alert.At.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        return Cut(text.ToString(), MaxText);
    }

    public static string Severity(AlertSeverity severity) => severity.ToString().ToLowerInvariant();

    private static HttpRequestMessage Ntfy(AlertTarget target, AlertEvent alert)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new StringContent(Text(alert), Encoding.UTF8, "text/plain"),
        };
        // Header values must be ASCII; ntfy also reads RFC 2047 but a title of ours is plain ASCII anyway.
        request.Headers.Add("Title", Ascii(alert.Title));
        request.Headers.Add("Priority", NtfyPriority(alert.Severity).ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Tags", NtfyTags(alert));
        return WithBearer(request, target.Token);
    }

    private static HttpRequestMessage Gotify(AlertTarget target, AlertEvent alert)
    {
        // The operator gives the server's URL (https://gotify.example); the message endpoint is /message under it.
        var url = target.Url.AbsolutePath.TrimEnd('/').EndsWith("/message", StringComparison.Ordinal)
            ? target.Url
            : new Uri(target.Url.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/message" + target.Url.Query);
        var request = JsonPost(url, Gotify(alert));
        request.Headers.Add("X-Gotify-Key", target.Token);
        return request;
    }

    private static HttpRequestMessage JsonPost(Uri url, JsonObject body) => new(HttpMethod.Post, url)
    {
        Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    private static HttpRequestMessage WithBearer(HttpRequestMessage request, string? token)
    {
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Ascii(string text) => new([.. text.Select(c => c is >= ' ' and <= '~' ? c : '?')]);
}
