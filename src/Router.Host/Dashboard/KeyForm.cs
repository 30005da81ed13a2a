using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Router.Contracts.Wire;
using Router.Host.Keys;

namespace Router.Host.Dashboard;

/// <summary>
/// The key form of <c>/ui/keys</c> as posted: every field is text, as a browser sends it. It is turned into the JSON
/// body <c>/key/generate</c> or <c>/key/update</c> would take and read by <see cref="KeyRequest.FromJson"/>, so the
/// page and the API check a key's fields in one place and name the same field when one is wrong. Text that is not
/// a number (or JSON) is passed on as a string, for that check to refuse.
/// </summary>
public sealed class KeyForm
{
    public string? Alias { get; set; }
    /// <summary>Model names separated by commas or line breaks; none means every model.</summary>
    public string? Models { get; set; }
    public string? MaxBudget { get; set; }
    public string? BudgetDuration { get; set; }
    public string? RpmLimit { get; set; }
    public string? TpmLimit { get; set; }
    /// <summary>How long from now the key lasts (<c>30d</c>); when given it replaces <see cref="Expires"/>.</summary>
    public string? Duration { get; set; }
    public string? Expires { get; set; }
    public string? Metadata { get; set; }
    /// <summary>Only when creating: a secret of the operator's choosing instead of a new one.</summary>
    public string? Key { get; set; }
    /// <summary>Only when creating: the key starts blocked (blocking later has its own button).</summary>
    public bool Blocked { get; set; }

    /// <summary>The form filled with a key's current values, for its edit form.</summary>
    public static KeyForm From(VirtualKeyInfo key) => new()
    {
        Alias = key.KeyAlias,
        Models = string.Join(", ", key.Models),
        MaxBudget = key.MaxBudget?.ToString(CultureInfo.InvariantCulture),
        BudgetDuration = key.BudgetDuration,
        RpmLimit = key.RpmLimit?.ToString(CultureInfo.InvariantCulture),
        TpmLimit = key.TpmLimit?.ToString(CultureInfo.InvariantCulture),
        Expires = key.Expires?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Metadata = key.Metadata.ValueKind == JsonValueKind.Object && key.Metadata.EnumerateObject().Any() ? key.Metadata.GetRawText() : null,
    };

    /// <summary>A new key's request: a field left blank is left out (the key has no such limit).</summary>
    public KeyRequest ToCreateRequest(DateTimeOffset now)
    {
        var body = new JsonObject();
        AddLimits(body, blankClears: false);
        Put(body, "duration", Text(Duration));
        Put(body, "expires", Text(Expires));
        Put(body, "key", Text(Key));
        if (Blocked) body["blocked"] = true;
        return Read(body, now);
    }

    /// <summary>
    /// A key's changes: the edit form shows every field, so a field left blank clears it. A duration, when given,
    /// sets the expiry from now instead of the expiry field (which still shows the old one).
    /// </summary>
    public KeyRequest ToUpdateRequest(DateTimeOffset now)
    {
        var body = new JsonObject();
        AddLimits(body, blankClears: true);
        if (Text(Duration) is { } duration) body["duration"] = duration;
        else body["expires"] = Text(Expires);
        return Read(body, now);
    }

    private void AddLimits(JsonObject body, bool blankClears)
    {
        void Field(string name, JsonNode? value)
        {
            if (value is not null || blankClears) body[name] = value;
        }
        Field("key_alias", Text(Alias));
        Field("models", ModelList(Models));
        Field("max_budget", Number(MaxBudget));
        Field("budget_duration", Text(BudgetDuration));
        Field("rpm_limit", Number(RpmLimit));
        Field("tpm_limit", Number(TpmLimit));
        Field("metadata", Json(Metadata));
    }

    private static KeyRequest Read(JsonObject body, DateTimeOffset now)
    {
        using var document = JsonDocument.Parse(body.ToJsonString());
        return KeyRequest.FromJson(document.RootElement, now);
    }

    private static void Put(JsonObject body, string name, JsonNode? value)
    {
        if (value is not null) body[name] = value;
    }

    private static string? Text(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static JsonNode? Number(string? text) =>
        Text(text) is not { } t ? null
        : decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(t);

    private static JsonNode? ModelList(string? text)
    {
        if (Text(text) is not { } t) return null;
        var models = t.Split([',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new JsonArray(models.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray());
    }

    private static JsonNode? Json(string? text)
    {
        if (Text(text) is not { } t) return null;
        try
        {
            return JsonNode.Parse(t);
        }
        catch (JsonException)
        {
            return JsonValue.Create(t);
        }
    }
}
