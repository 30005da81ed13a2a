using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Router.Host.Configuration;

/// <summary>
/// HOCON's <c>key += value</c> (append to a list), which Akka's built-in parser does not know: an operator's
/// <c>router.models += { name = "local", provider = vllm }</c> must add a route to the shipped ones, not
/// replace them or fail to parse. Before parsing, each <c>+=</c> becomes an ordinary assignment to a marker
/// key (<c>"models +=1"</c>); once the operator's file is parsed, each marker's value is appended, in the
/// file's order, to the list the file itself gives that key or else to the shipped one.
/// </summary>
public static partial class HoconAppends
{
    private const string MarkerSeparator = " +=";

    /// <summary>A key path (dotted, segments bare or quoted) followed by <c>+=</c>.</summary>
    [GeneratedRegex("""(?<prefix>(?:(?:"[^"\n]*"|[A-Za-z0-9_\-]+)\.)*)(?<last>"[^"\n]*"|[A-Za-z0-9_\-]+)[ \t]*\+=""")]
    private static partial Regex AppendAssignment();

    [GeneratedRegex("""^(?<name>.*) \+=(?<order>[0-9]+)$""")]
    private static partial Regex Marker();

    /// <summary>
    /// A router file parsed with its appends: <c>+=</c> marked, the environment resolved (<see cref="HoconEnvironment"/>),
    /// then each append applied to the list the file gives its key, or else to <paramref name="under"/>'s (the shipped file's).
    /// </summary>
    public static Config Parse(string hocon, Func<string, string?> environment, Config? under)
    {
        var parsed = ConfigurationFactory.ParseString(HoconEnvironment.Resolve(Mark(hocon), environment));
        if (parsed.Root?.GetObject() is { } root) Apply(root, "", under);
        return parsed;
    }

    /// <summary>The file's text with every <c>key += value</c> (outside strings and comments) written as a marker assignment.</summary>
    private static string Mark(string hocon)
    {
        var order = 0;
        var lines = hocon.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var codeLength = HoconEnvironment.CodeLength(line);
            var code = AppendAssignment().Replace(line[..codeLength], match =>
            {
                if (InsideString(line, match.Index)) return match.Value;
                var name = match.Groups["last"].Value.Trim('"');
                return $"{match.Groups["prefix"].Value}\"{name}{MarkerSeparator}{++order}\" =";
            });
            // A += the pattern did not take (after a value, or with no key) must not reach the parser, which would misread it.
            if (StrayAppend(code) is { } column)
                throw new ConfigException($"line {n + 1}, column {column + 1}: '+=' must follow a key, as in router.models += {{ ... }}");
            lines[n] = code + line[codeLength..];
        }
        return string.Join('\n', lines);
    }

    /// <summary>Appends each marker's value to its list, in the parsed file; <paramref name="under"/> gives the lists it does not.</summary>
    private static void Apply(HoconObject block, string path, Config? under)
    {
        var markers = block.Items.Keys
            .Select(key => (Key: key, Match: Marker().Match(key)))
            .Where(m => m.Match.Success)
            .OrderBy(m => int.Parse(m.Match.Groups["order"].Value, CultureInfo.InvariantCulture))
            .ToList();
        foreach (var (key, match) in markers)
        {
            var name = match.Groups["name"].Value;
            var at = Join(path, name);
            var addition = block.Items[key];
            block.Items.Remove(key);
            var current = block.Items.GetValueOrDefault(name) ?? under?.GetValue(at);
            var list = new HoconArray();
            list.AddRange(ElementsOf(current, at));
            list.Add(addition);
            var value = new HoconValue();
            value.AppendValue(list);
            block.Items[name] = value;
        }
        foreach (var (key, child) in block.Items)
            if (child.GetObject() is { } inner) Apply(inner, Join(path, key), under);
    }

    /// <summary>The list's elements; none when the key is not set anywhere (HOCON's <c>${?key}</c>); an error for a value that is no list.</summary>
    private static IList<HoconValue> ElementsOf(HoconValue? current, string at)
    {
        if (current is null || current.Values.Count == 0) return [];
        // Akka's HOCON calls an empty list no array (IsArray is false): a value made only of lists is one.
        if (current.Values.All(v => v is HoconArray || v.IsArray())) return current.GetArray();
        throw new ConfigException($"{at} += adds to a list, and {at} is not one");
    }

    private static string Join(string path, string key)
    {
        var segment = key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? key : $"\"{key}\"";
        return path.Length == 0 ? segment : $"{path}.{segment}";
    }

    private static bool InsideString(string line, int index)
    {
        var quoted = false;
        for (var i = 0; i < index; i++)
        {
            if (line[i] == '\\' && quoted) i++;
            else if (line[i] == '"') quoted = !quoted;
        }
        return quoted;
    }

    private static int? StrayAppend(string code)
    {
        var quoted = false;
        for (var i = 0; i + 1 < code.Length; i++)
        {
            if (code[i] == '\\' && quoted) i++;
            else if (code[i] == '"') quoted = !quoted;
            else if (!quoted && code[i] == '+' && code[i + 1] == '=') return i;
        }
        return null;
    }
}
