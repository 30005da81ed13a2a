using Akka.Configuration.Hocon;

namespace Router.Host.Configuration;

/// <summary>
/// The shape of the settings the router reads, to tell an operator which keys of a file have no effect.
/// It is not a list kept by hand: the fixed keys are those of the shipped <c>router.conf</c> (every
/// setting has its default there), and the entries whose names the operator chooses (a provider, a
/// model, a price) take their keys from the lists the reader itself declares beside the code reading them.
/// </summary>
public sealed class KnownKeys
{
    /// <summary>A value whose inside is not checked (a number, a list of names, a block of HTTP headers).</summary>
    private static readonly KnownKeys AnyValue = new();

    /// <summary>An object of exactly these keys; null when the value is not such an object.</summary>
    public IReadOnlyDictionary<string, KnownKeys>? Names { get; private init; }

    /// <summary>An object of names the operator chooses (<c>providers</c>, <c>prices</c>), each value of this shape.</summary>
    public KnownKeys? EachName { get; private init; }

    /// <summary>A list whose object elements have this shape (<c>models</c>).</summary>
    public KnownKeys? EachElement { get; private init; }

    /// <summary>The whole file: one <c>router</c> block of the shape the shipped defaults and the reader give.</summary>
    public static KnownKeys File { get; } = Build();

    private static KnownKeys Build()
    {
        // Every variable stands for some text, so keys that take their value only from the environment
        // (master-key = ${?ROUTER_MASTER_KEY}) are part of the shape too.
        var shipped = HoconAppends.Parse(HoconConfigLoader.ReadEmbedded("router.conf"), _ => "", null);
        var router = new Dictionary<string, KnownKeys>(FromObject(shipped.GetConfig("router").Root.GetObject()), StringComparer.Ordinal);
        var timeouts = router["provider-defaults"].Names!["timeouts"];
        var policy = router["routing"].Names!;

        router["providers"] = new KnownKeys
        {
            EachName = Entry(RouterSettingsReader.ProviderKeys, new() { ["timeouts"] = timeouts, ["headers"] = new KnownKeys { EachName = AnyValue } }),
        };
        router["models"] = new KnownKeys
        {
            EachElement = Entry(RouterSettingsReader.ModelKeys.Concat(policy.Keys), new() { ["timeouts"] = timeouts }),
        };
        router["prices"] = new KnownKeys { EachName = Entry(RouterSettingsReader.PriceKeys, []) };
        var cache = new Dictionary<string, KnownKeys>(router["cache"].Names!, StringComparer.Ordinal)
        {
            ["models"] = new KnownKeys { EachName = Entry(RouterSettingsReader.CacheModelKeys, []) },
        };
        router["cache"] = new KnownKeys { Names = cache };
        return new KnownKeys { Names = new Dictionary<string, KnownKeys>(StringComparer.Ordinal) { ["router"] = new KnownKeys { Names = router } } };
    }

    private static Dictionary<string, KnownKeys> FromObject(HoconObject block) =>
        block.Items.ToDictionary(
            item => item.Key,
            item => item.Value.GetObject() is { } inner ? new KnownKeys { Names = FromObject(inner) } : AnyValue,
            StringComparer.Ordinal);

    private static KnownKeys Entry(IEnumerable<string> keys, Dictionary<string, KnownKeys> shaped)
    {
        var names = keys.ToDictionary(key => key, key => shaped.GetValueOrDefault(key, AnyValue), StringComparer.Ordinal);
        return new KnownKeys { Names = names };
    }
}
