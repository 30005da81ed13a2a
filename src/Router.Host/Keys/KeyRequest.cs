using System.Globalization;
using System.Text.Json;
using Router.Contracts.Messages;
using Router.Host.Http;

namespace Router.Host.Keys;

/// <summary>A field a request may set: <see cref="IsSet"/> tells a field left out from one set to null (cleared).</summary>
public readonly record struct Change<T>(bool IsSet, T Value)
{
    public T Or(T current) => IsSet ? Value : current;
}

/// <summary>
/// The fields of a key admin request (LiteLLM's names), read from the JSON body and checked one by one,
/// so a bad field is refused with 400 and its name in <c>param</c>. Fields the router does not know
/// (LiteLLM's teams, users, tags...) are ignored, so LiteLLM scripts keep working.
/// </summary>
public sealed class KeyRequest
{
    /// <summary>The key to act on (its secret, id or hash); for <c>/key/generate</c>, a secret to use instead of a new one.</summary>
    public string? Key { get; private init; }
    public IReadOnlyList<string> Keys { get; private init; } = [];
    public IReadOnlyList<string> KeyAliases { get; private init; } = [];
    public Change<IReadOnlyList<string>> Models { get; private init; }
    public Change<decimal?> MaxBudget { get; private init; }
    public Change<TimeSpan?> BudgetDuration { get; private init; }
    public Change<int?> RpmLimit { get; private init; }
    public Change<int?> TpmLimit { get; private init; }
    public Change<DateTimeOffset?> Expires { get; private init; }
    public Change<string?> Alias { get; private init; }
    public Change<string?> MetadataJson { get; private init; }
    public Change<bool> Blocked { get; private init; }

    /// <summary>A request that changes nothing.</summary>
    public static KeyRequest Empty { get; } = new();

    public static KeyRequest Block(bool blocked) => new() { Blocked = new(true, blocked) };

    /// <summary>A request naming keys by id or secret, for <see cref="KeyAdmin.DeleteAsync"/>.</summary>
    public static KeyRequest ForKeys(IReadOnlyList<string> keys) => new() { Keys = keys };

    /// <summary>The policy with this request's changes; the secret, prefix and creation time stay.</summary>
    public KeyPolicy ApplyTo(KeyPolicy policy) => policy with
    {
        AllowedModels = Models.Or(policy.AllowedModels),
        MaxBudget = MaxBudget.Or(policy.MaxBudget),
        BudgetDuration = BudgetDuration.Or(policy.BudgetDuration),
        RpmLimit = RpmLimit.Or(policy.RpmLimit),
        TpmLimit = TpmLimit.Or(policy.TpmLimit),
        Expires = Expires.Or(policy.Expires),
        Alias = Alias.Or(policy.Alias),
        MetadataJson = MetadataJson.Or(policy.MetadataJson),
        Blocked = Blocked.Or(policy.Blocked),
    };

    public static async Task<KeyRequest> ReadAsync(HttpContext context, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw RouterError.InvalidRequest($"The request body is not valid JSON: {e.Message}", code: "invalid_json");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw RouterError.InvalidRequest("The request body is too large.", code: "request_too_large");
        }
        using (document)
        {
            var body = document.RootElement;
            return FromJson(document.RootElement, now);
        }
    }

    /// <summary>
    /// Reads and checks a request's fields from a JSON object: the API's body, or what the dashboard's key form
    /// makes of its fields, so both are held to the same rules and name the same field when one is wrong.
    /// </summary>
    public static KeyRequest FromJson(JsonElement body, DateTimeOffset now)
    {
        if (body.ValueKind != JsonValueKind.Object) throw RouterError.InvalidRequest("The request body must be a JSON object.", code: "invalid_json");
        var duration = Val(body, "duration", e => ParseDuration(e, "duration"));
        var expires = Val(body, "expires", e =>
            e.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(e.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at.ToUniversalTime()
                : throw Bad("expires", "'expires' must be an ISO 8601 time such as \"2030-01-31T00:00:00Z\", or null."));
        if (duration.IsSet && expires.IsSet)
            throw Bad("duration", "Give either 'duration' (relative, such as \"30d\") or 'expires' (an ISO 8601 time), not both.");
        var blocked = Val(body, "blocked", e => e.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? e.GetBoolean()
            : throw Bad("blocked", "'blocked' must be true or false."));
        var models = Ref(body, "models", e => Strings(e, "models"));

        return new KeyRequest
        {
            Key = Ref(body, "key", e => e.ValueKind == JsonValueKind.String && e.GetString()!.Trim() is { Length: > 0 } key
                ? key
                : throw Bad("key", "'key' must be a non-empty string: the key's secret or its id.")).Value,
            Keys = Ref(body, "keys", e => Strings(e, "keys")).Value ?? [],
            KeyAliases = Ref(body, "key_aliases", e => Strings(e, "key_aliases")).Value ?? [],
            // null, like [], means every model.
            Models = models.IsSet ? new(true, models.Value ?? []) : default,
            MaxBudget = Val(body, "max_budget", e => e.ValueKind == JsonValueKind.Number && e.TryGetDecimal(out var budget) && budget >= 0
                ? budget
                : throw Bad("max_budget", "'max_budget' must be a number of US dollars, 0 or more, or null for no budget.")),
            BudgetDuration = Val(body, "budget_duration", e => ParseDuration(e, "budget_duration")),
            RpmLimit = Val(body, "rpm_limit", e => Limit(e, "rpm_limit")),
            TpmLimit = Val(body, "tpm_limit", e => Limit(e, "tpm_limit")),
            Expires = duration.IsSet ? new(true, duration.Value is { } d ? now + d : null) : expires,
            Alias = Ref(body, "key_alias", e => e.ValueKind == JsonValueKind.String && e.GetString()!.Trim() is { Length: > 0 and <= 200 } alias
                ? alias
                : throw Bad("key_alias", "'key_alias' must be a non-empty string of at most 200 characters, or null.")),
            MetadataJson = Ref(body, "metadata", e => e.ValueKind == JsonValueKind.Object
                ? e.GetRawText()
                : throw Bad("metadata", "'metadata' must be a JSON object, or null.")),
            Blocked = blocked.IsSet ? new(true, blocked.Value ?? false) : default,
        };
    }

    private static TimeSpan ParseDuration(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.String && Durations.TryParse(e.GetString()!, out var span)
            ? span
            : throw Bad(name, $"'{name}' must be a duration such as \"30s\", \"15m\", \"1h\", \"1d\", \"7d\", \"30d\" or \"1mo\" (30 days), or null.");

    /// <summary>A field's value when present; JSON null counts as set to null.</summary>
    private static Change<T?> Ref<T>(JsonElement body, string name, Func<JsonElement, T> read) where T : class =>
        !body.TryGetProperty(name, out var value) ? default
        : value.ValueKind == JsonValueKind.Null ? new(true, null)
        : new(true, read(value));

    private static Change<T?> Val<T>(JsonElement body, string name, Func<JsonElement, T> read) where T : struct =>
        !body.TryGetProperty(name, out var value) ? default
        : value.ValueKind == JsonValueKind.Null ? new(true, null)
        : new(true, read(value));

    private static IReadOnlyList<string> Strings(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Array) throw Bad(name, $"'{name}' must be an array of strings.");
        var items = new List<string>();
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString()!.Trim() is not { Length: > 0 } text)
                throw Bad(name, $"'{name}' must be an array of non-empty strings.");
            items.Add(text);
        }
        return items;
    }

    private static int Limit(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var limit) && limit >= 0
            ? limit
            : throw Bad(name, $"'{name}' must be a whole number, 0 or more, or null for no limit.");

    public static RouterError Bad(string param, string message) => RouterError.InvalidRequest(message, param, "invalid_" + param);
}

/// <summary>LiteLLM's durations: a whole number and a unit, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, <c>w</c> or <c>mo</c> (taken as 30 days).</summary>
public static class Durations
{
    private static readonly TimeSpan Longest = TimeSpan.FromDays(365 * 100);

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits])) digits++;
        if (digits == 0 || digits > 9 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
            return false;
        TimeSpan? unit = text[digits..] switch
        {
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            "d" => TimeSpan.FromDays(1),
            "w" => TimeSpan.FromDays(7),
            "mo" => TimeSpan.FromDays(30),
            _ => null,
        };
        if (unit is null || count > Longest.Ticks / unit.Value.Ticks) return false;
        duration = TimeSpan.FromTicks(unit.Value.Ticks * count);
        return true;
    }

    /// <summary>The shortest way to write a duration in the largest whole unit: 30d, 12h, 90s.</summary>
    public static string Format(TimeSpan duration)
    {
        var ticks = duration.Ticks;
        if (ticks > 0 && ticks % TimeSpan.TicksPerDay == 0) return $"{ticks / TimeSpan.TicksPerDay}d";
        if (ticks > 0 && ticks % TimeSpan.TicksPerHour == 0) return $"{ticks / TimeSpan.TicksPerHour}h";
        if (ticks > 0 && ticks % TimeSpan.TicksPerMinute == 0) return $"{ticks / TimeSpan.TicksPerMinute}m";
        return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s");
    }
}
