namespace Router.Actors.Routing;

/// <summary>
/// Model names are either exact (<c>gpt-4o-mini</c>) or a prefix followed by one trailing <c>*</c>
/// (<c>ollama/*</c>, <c>gpt-*</c>, <c>*</c>). The same rule serves route entries and key model lists.
/// </summary>
public static class ModelPattern
{
    public static bool IsPattern(string name) => name.EndsWith('*');

    public static string Prefix(string pattern) => pattern[..^1];

    public static bool Matches(string patternOrName, string model) =>
        IsPattern(patternOrName)
            ? model.StartsWith(Prefix(patternOrName), StringComparison.Ordinal)
            : string.Equals(patternOrName, model, StringComparison.Ordinal);

    /// <summary>Null when the name is usable, else why not.</summary>
    public static string? Validate(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "a model name must not be empty";
        var star = name.IndexOf('*');
        if (star >= 0 && star != name.Length - 1) return $"'{name}': '*' may only end a model name";
        return null;
    }
}
