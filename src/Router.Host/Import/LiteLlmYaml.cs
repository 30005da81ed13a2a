using System.Collections;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Router.Host.Import;

/// <summary>
/// Reads a LiteLLM config into plain mappings, lists and strings (anchors and <c>&lt;&lt;</c> merge keys
/// resolved), and shows values for notes and comments without ever showing a secret.
/// </summary>
public static class LiteLlmYaml
{
    /// <summary>The prefix LiteLLM uses for a value taken from the environment: <c>os.environ/NAME</c>.</summary>
    public const string EnvironmentPrefix = "os.environ/";

    public static Dictionary<string, object?> ParseRoot(string text)
    {
        object? root;
        try
        {
            using var reader = new StringReader(text);
            root = new DeserializerBuilder().Build().Deserialize(new MergingParser(new Parser(reader)));
        }
        catch (YamlException e)
        {
            throw new ImportException($"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {Innermost(e).Message}");
        }
        if (root is null) throw new ImportException("the file is empty");
        return Map(root) ?? throw new ImportException(
            "the top level is not a mapping of LiteLLM sections (model_list, router_settings, litellm_settings, general_settings)");
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    public static Dictionary<string, object?>? Map(object? node)
    {
        if (node is not IDictionary dictionary) return null;
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary) map[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = entry.Value;
        return map;
    }

    public static List<object?>? List(object? node) => node is IList list ? list.Cast<object?>().ToList() : null;

    /// <summary>A scalar's text; null for a missing or empty value, a list or a mapping.</summary>
    public static string? Text(object? node) => node is string text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

    public static double? Number(object? node) =>
        double.TryParse(Text(node), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    public static bool? Boolean(object? node) => Text(node)?.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        _ => null,
    };

    /// <summary>The variable of an <c>os.environ/NAME</c> value, else null.</summary>
    public static string? EnvironmentVariable(object? node) =>
        Text(node) is { } text && text.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) && text.Length > EnvironmentPrefix.Length
            ? text[EnvironmentPrefix.Length..]
            : null;

    /// <summary>Seconds, as LiteLLM writes timeouts and TTLs (a number, perhaps with a fraction).</summary>
    public static TimeSpan? Seconds(object? node) => Number(node) is { } seconds && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;

    private static readonly HashSet<string> SecretWords =
        ["key", "secret", "password", "passwd", "token", "credential", "credentials", "auth", "authorization", "dsn", "connection"];

    /// <summary>
    /// Whether a setting may hold a secret, judged by the words of its name (api_key, SOME_TOKEN,
    /// database_url, but not max_tokens) or by its value. Its value is then never shown: a config file,
    /// a terminal and CI logs are all places a key must not end up.
    /// </summary>
    public static bool MayBeSecret(string key, object? value)
    {
        var words = key.ToLowerInvariant().Split(['_', '-', '.'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Any(SecretWords.Contains) || words.Contains("url") && words.Length > 1 && words[0] is "database" or "redis")
            return EnvironmentVariable(value) is null;
        return value is string text && (text.StartsWith("sk-", StringComparison.Ordinal) || text.Contains("://", StringComparison.Ordinal) && text.Contains('@'));
    }

    /// <summary>A value as it may appear in a note or a comment: one line, short, never a secret.</summary>
    public static string Show(string key, object? value) => OneLine(ShowAny(key, value));

    private static string ShowAny(string key, object? value)
    {
        if (MayBeSecret(key, value)) return "(a literal secret, not copied)";
        return value switch
        {
            null => "(empty)",
            string text => OneLine(text),
            IDictionary map => "{ " + string.Join(", ", Map(map)!.Select(kv => $"{kv.Key}: {ShowAny(kv.Key, kv.Value)}")) + " }",
            IList list => "[" + string.Join(", ", list.Cast<object?>().Select(item => ShowAny(key, item))) + "]",
            _ => OneLine(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
        };
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 120 ? line : line[..117] + "...";
    }
}
