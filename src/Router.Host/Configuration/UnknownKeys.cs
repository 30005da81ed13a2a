using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Router.Host.Configuration;

/// <summary>
/// The keys of a configuration that the router does not read, each as a warning naming the closest known
/// key: HOCON parses <c>api_base</c> as happily as <c>api-base</c>, and a setting that silently does
/// nothing is worse than one refused. Keys whose names the operator chooses (providers, prices, HTTP
/// headers) are never judged by name, only their entries' keys are.
/// </summary>
public static class UnknownKeys
{
    /// <summary>Names known at one level are listed in a warning when none is near the unknown one, if they are this few.</summary>
    private const int MaxListed = 12;

    public static IReadOnlyList<string> In(Config config)
    {
        var warnings = new List<string>();
        if (config.Root?.GetObject() is { } root) Check(root, KnownKeys.File, "", warnings);
        return warnings;
    }

    private static void Check(HoconValue value, KnownKeys known, string path, List<string> warnings)
    {
        if (known.EachElement is { } element)
        {
            var index = 0;
            foreach (var item in value.GetArray())
            {
                if (item.GetObject() is { } entry) Check(entry, element, $"{path}[{index}]", warnings);
                index++;
            }
        }
        else if (value.GetObject() is { } block)
        {
            Check(block, known, path, warnings);
        }
    }

    private static void Check(HoconObject block, KnownKeys known, string path, List<string> warnings)
    {
        foreach (var (name, child) in block.Items)
        {
            var at = Join(path, name);
            if (known.EachName is { } each) Check(child, each, at, warnings);
            else if (known.Names is null) continue;
            else if (known.Names.TryGetValue(name, out var inner)) Check(child, inner, at, warnings);
            else warnings.Add(Warning(at, name, known.Names.Keys));
        }
    }

    private static string Warning(string path, string name, IEnumerable<string> known)
    {
        var names = known.Order(StringComparer.Ordinal).ToList();
        var hint = ClosestName.To(name, names) is { } closest ? $"did you mean {closest}?"
            : names.Count is > 0 and <= MaxListed ? $"the keys here are: {string.Join(", ", names)}"
            : "see the settings in README.md";
        return $"{path} is not a setting the router knows and has no effect; {hint}";
    }

    private static string Join(string path, string key)
    {
        var segment = key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? key : $"\"{key}\"";
        return path.Length == 0 ? segment : $"{path}.{segment}";
    }
}
