using System.Text.Json.Nodes;
using Router.Contracts.Configuration;
using Router.Host.Alerts;

namespace Router.Host.Tests.Alerts;

/// <summary>
/// Each format's request against its service's documented shape: the generic webhook's JSON; ntfy's publish
/// (POST to the topic, text body, Title/Priority/Tags headers, Bearer access token); Gotify's POST /message with
/// X-Gotify-Key and {title, message, priority}; Discord's {content, embeds[{title, description, color}]}; Slack's {text, blocks}.
/// </summary>
public sealed class AlertPayloadTests
{
    private static readonly AlertEvent Alert = new(AlertEvents.CircuitOpen, AlertSeverity.Warning, "openai:gpt-4o",
        "circuit of openai:gpt-4o opened: its calls fail over", new Dictionary<string, string> { ["deployment"] = "openai:gpt-4o" },
        "http://127.0.0.1:4000", new DateTimeOffset(2026, 12, 3, 11, 0, 0, TimeSpan.Zero));

    private static AlertTarget Target(AlertFormat format, string url, string? token = null) => new("t", format, new Uri(url), token, new HashSet<string>());

    private static async Task<JsonObject> BodyOf(HttpRequestMessage request)
    {
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        return JsonNode.Parse(await request.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
    }

    [Fact]
    public async Task Generic_posts_event_severity_summary_details_node_and_at()
    {
        using var request = AlertPayloads.Request(Target(AlertFormat.Generic, "http://hook.example/in"), Alert);
        Assert.Equal((HttpMethod.Post, "http://hook.example/in"), (request.Method, request.RequestUri!.ToString()));
        var body = await BodyOf(request);
        Assert.Equal(["event", "severity", "summary", "details", "node", "at"], body.Select(p => p.Key));
        Assert.Equal("circuit-open", (string?)body["event"]);
        Assert.Equal("warning", (string?)body["severity"]);
        Assert.Equal("openai:gpt-4o", (string?)body["details"]!["deployment"]);
        Assert.Equal("http://127.0.0.1:4000", (string?)body["node"]);
        Assert.Equal("2026-12-03T11:00:00.000Z", (string?)body["at"]);
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public async Task Ntfy_posts_the_message_as_text_to_the_topic_with_title_priority_tags_and_a_bearer_token()
    {
        using var request = AlertPayloads.Request(Target(AlertFormat.Ntfy, "https://ntfy.sh/router-alerts", "tk_secret"), Alert);
        Assert.Equal((HttpMethod.Post, "https://ntfy.sh/router-alerts"), (request.Method, request.RequestUri!.ToString()));
        Assert.Equal("text/plain", request.Content!.Headers.ContentType!.MediaType);
        var text = await request.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("circuit of openai:gpt-4o opened", text);
        Assert.Contains("deployment: openai:gpt-4o", text);
        Assert.Equal("Router: circuit of openai:gpt-4o opened: its calls fail over", request.Headers.GetValues("Title").Single());
        Assert.Equal("4", request.Headers.GetValues("Priority").Single());
        Assert.Equal("warning,circuit-open", request.Headers.GetValues("Tags").Single());
        Assert.Equal(("Bearer", "tk_secret"), (request.Headers.Authorization!.Scheme, request.Headers.Authorization.Parameter));
    }

    [Theory]
    [InlineData("https://gotify.example", "https://gotify.example/message")]
    [InlineData("https://gotify.example/", "https://gotify.example/message")]
    [InlineData("https://home.example/gotify/", "https://home.example/gotify/message")]
    [InlineData("https://gotify.example/message", "https://gotify.example/message")]
    public async Task Gotify_posts_title_message_priority_to_message_with_the_app_token_header(string url, string expected)
    {
        using var request = AlertPayloads.Request(Target(AlertFormat.Gotify, url, "AppToken1"), Alert);
        Assert.Equal(expected, request.RequestUri!.ToString());
        Assert.Equal("AppToken1", request.Headers.GetValues("X-Gotify-Key").Single());
        var body = await BodyOf(request);
        Assert.Equal(["title", "message", "priority"], body.Select(p => p.Key));
        Assert.Equal(5, (int)body["priority"]!);
        Assert.Contains("deployment: openai:gpt-4o", (string?)body["message"]);
    }

    [Fact]
    public async Task Discord_posts_content_and_one_embed_with_title_description_and_a_decimal_colour()
    {
        using var request = AlertPayloads.Request(Target(AlertFormat.Discord, "https://discord.com/api/webhooks/1/abc"), Alert);
        var body = await BodyOf(request);
        Assert.Equal("Router: circuit of openai:gpt-4o opened: its calls fail over", (string?)body["content"]);
        var embed = body["embeds"]!.AsArray().Single()!.AsObject();
        Assert.Equal("circuit of openai:gpt-4o opened: its calls fail over", (string?)embed["title"]);
        Assert.Contains("deployment: openai:gpt-4o", (string?)embed["description"]);
        Assert.Equal(0xF1C40F, (int)embed["color"]!);
        Assert.Equal("2026-12-03T11:00:00.000Z", (string?)embed["timestamp"]);
    }

    [Fact]
    public async Task Slack_posts_text_and_header_and_mrkdwn_section_blocks()
    {
        using var request = AlertPayloads.Request(Target(AlertFormat.Slack, "https://hooks.slack.com/services/T/B/X"), Alert);
        var body = await BodyOf(request);
        Assert.Equal("Router: circuit of openai:gpt-4o opened: its calls fail over", (string?)body["text"]);
        var blocks = body["blocks"]!.AsArray();
        Assert.Equal(["header", "section"], blocks.Select(b => (string?)b!["type"]));
        Assert.Equal("plain_text", (string?)blocks[0]!["text"]!["type"]);
        Assert.Equal("mrkdwn", (string?)blocks[1]!["text"]!["type"]);
        Assert.Contains("deployment: openai:gpt-4o", (string?)blocks[1]!["text"]!["text"]);
    }

    [Theory]
    [InlineData(AlertSeverity.Critical, 5, 8, 0xE74C3C)]
    [InlineData(AlertSeverity.Warning, 4, 5, 0xF1C40F)]
    [InlineData(AlertSeverity.Info, 3, 2, 0x2ECC71)]
    public void Severities_map_to_each_services_priority_and_colour(AlertSeverity severity, int ntfy, int gotify, int discord) =>
        Assert.Equal((ntfy, gotify, discord),
            (AlertPayloads.NtfyPriority(severity), AlertPayloads.GotifyPriority(severity), AlertPayloads.DiscordColor(severity)));

    [Fact]
    public async Task A_long_message_is_cut_to_what_discord_takes()
    {
        var details = Enumerable.Range(0, 200).ToDictionary(i => $"detail-{i}", _ => new string('x', 40));
        using var request = AlertPayloads.Request(Target(AlertFormat.Discord, "https://discord.com/api/webhooks/1/abc"), Alert with { Details = details });
        var description = (string)(await BodyOf(request))["embeds"]![0]!["description"]!;
        Assert.True(description.Length <= 2000, $"{description.Length} characters");
    }
}
