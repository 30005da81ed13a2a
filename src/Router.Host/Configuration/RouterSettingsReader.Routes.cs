using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Router.Contracts.Configuration;

namespace Router.Host.Configuration;

/// <summary><c>router.prices</c> and <c>router.models</c>: the prices over the shipped table, and each model's route and policy.</summary>
public static partial class RouterSettingsReader
{
    /// <summary>Every key of a price entry; any other is refused here, and warned of by the unknown-key check.</summary>
    public static readonly IReadOnlyList<string> PriceKeys =
        ["input-cost-per-token", "output-cost-per-token", "cache-read-cost-per-token", "cache-write-cost-per-token"];

    /// <summary>
    /// Every key of a <c>router.models</c> entry besides its policy (whose keys are <c>router.routing</c>'s): what
    /// <see cref="ReadModels"/> reads, and all the unknown-key check accepts there.
    /// </summary>
    public static readonly IReadOnlyList<string> ModelKeys = ["name", "provider", "model", "weight", "max-input-tokens", "timeouts"];

    /// <summary><c>router.prices { "model" { input-cost-per-token, output-cost-per-token, cache-read-cost-per-token, cache-write-cost-per-token } }</c>.</summary>
    private static Dictionary<string, ModelPrice> ReadPrices(Config router)
    {
        var prices = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        if (!router.HasPath("prices")) return prices;
        var block = router.GetValue("prices");
        // Akka's HOCON calls an empty object (and an empty list) neither an object nor empty; both mean no prices.
        if (block.IsString()) throw new ConfigException("router.prices must be an object of model names to prices");
        if (!block.IsObject()) return prices;
        foreach (var (model, value) in block.GetObject().Items)
        {
            var at = $"router.prices.\"{model}\"";
            if (!value.IsObject())
                throw new ConfigException($"{at} must be an object with input-cost-per-token and/or output-cost-per-token");
            var entry = value.GetObject();
            if (entry.Items.Keys.FirstOrDefault(k => !PriceKeys.Contains(k)) is { } unknown)
                throw new ConfigException($"{at}.{unknown} is not one of: {string.Join(", ", PriceKeys)}");
            var input = PerToken(entry, at, "input-cost-per-token");
            var output = PerToken(entry, at, "output-cost-per-token");
            if (input is null && output is null)
                throw new ConfigException($"{at} needs input-cost-per-token or output-cost-per-token (USD per token)");
            prices[model] = new ModelPrice(input ?? 0, output ?? 0, PerToken(entry, at, "cache-read-cost-per-token"),
                PerToken(entry, at, "cache-write-cost-per-token"));
        }
        return prices;
    }

    private static decimal? PerToken(HoconObject entry, string at, string key)
    {
        if (entry.GetKey(key) is not { } value) return null;
        // Parsed from the text, not through double, so 0.0000025 stays exact; exponents (1.5e-07) are allowed.
        var text = value.IsString() ? value.GetString() : null;
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var price))
            throw new ConfigException($"{at}.{key} must be a number of USD per token (e.g. 0.0000025)");
        return price >= 0 ? price : throw new ConfigException($"{at}.{key} must not be negative");
    }

    private static List<ModelEntry> ReadModels(Config router, IReadOnlyList<ProviderSettings> providers)
    {
        var models = new List<ModelEntry>();
        if (!router.HasPath("models")) return models;
        var index = 0;
        foreach (var item in router.GetValue("models").GetArray())
        {
            var at = $"router.models[{index}]";
            var entry = item.GetObject() ?? throw new ConfigException($"{at} is not an object");
            string? Field(string key) => NullIfEmpty(entry.GetKey(key)?.GetString());
            var name = Field("name") ?? throw new ConfigException($"{at}.name is missing");
            var providerName = Field("provider") ?? throw new ConfigException($"{at}.provider is missing");
            var provider = providers.FirstOrDefault(p => p.Name == providerName)
                ?? throw new ConfigException($"router.models entry '{name}' names provider '{providerName}', which router.providers does not define");
            var weight = entry.GetKey("weight")?.GetInt() ?? 1;
            if (weight < 1) throw new ConfigException($"{at}.weight must be at least 1");
            var maxInput = entry.GetKey("max-input-tokens")?.GetInt();
            if (maxInput is < 1) throw new ConfigException($"{at}.max-input-tokens must be a positive number of tokens");
            models.Add(new ModelEntry(name, providerName, Field("model"))
            {
                Weight = weight,
                MaxInputTokens = maxInput,
                Timeouts = entry.GetKey("timeouts")?.GetObject() is { } timeouts ? ReadTimeouts(timeouts, provider.Timeouts) : null,
                Policy = ReadPolicy(entry, at),
            });
            index++;
        }
        return models;
    }

    private static RoutingPolicy ReadPolicy(HoconObject? block, string at)
    {
        if (block is null) return RoutingPolicy.Unset;
        var strategy = block.GetKey("strategy")?.GetString() switch
        {
            null => (BalancingStrategy?)null,
            "weighted-round-robin" => BalancingStrategy.WeightedRoundRobin,
            "least-in-flight" => BalancingStrategy.LeastInFlight,
            "lowest-latency" => BalancingStrategy.LowestLatency,
            var other => throw new ConfigException(
                $"{at}.strategy '{other}' is not one of: weighted-round-robin, least-in-flight, lowest-latency"),
        };
        var retries = block.GetKey("retries")?.GetInt();
        if (retries is < 0) throw new ConfigException($"{at}.retries must not be negative");
        return new RoutingPolicy(strategy, retries, Names(block, "fallbacks", at), Names(block, "context-window-fallbacks", at),
            Names(block, "content-policy-fallbacks", at));
    }

    private static List<string>? Names(HoconObject block, string key, string at)
    {
        if (block.GetKey(key) is not { } value) return null;
        // Akka's HOCON calls an empty list neither an array nor empty, so only the other kinds are refused.
        if (value.IsString() || value.IsObject()) throw new ConfigException($"{at}.{key} must be a list of model names");
        return [.. value.GetArray().Select(v => v.GetString())];
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
