using System.Text.Json;

namespace Router.Host.Translation;

/// <summary>
/// How one provider wire format lists its models: the request for each page and how a page is read.
/// The provider client sends it with the provider's own authentication (<see cref="IProviderDialect.Authenticate"/>).
/// </summary>
public interface IModelListing
{
    /// <summary>The request for one page of the list: the first when <paramref name="cursor"/> is null.</summary>
    ModelListRequest PageRequest(Uri apiBase, string? cursor);

    /// <summary>
    /// The upstream model names on one page and the cursor of the next (null: this was the last). Throws a
    /// <see cref="JsonException"/> for an answer that is not a model list: a provider that answers 200 with
    /// something else (a login page, another API) has not listed its models, it has failed to.
    /// </summary>
    ModelListPage ReadPage(JsonElement root);
}

/// <summary>Where one page is asked for, and the headers the format needs beyond the provider's key.</summary>
public sealed record ModelListRequest(Uri Uri, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public static IReadOnlyList<KeyValuePair<string, string>> NoHeaders => UpstreamCall.NoHeaders;
}

/// <summary>The names one page lists, as the provider calls them, and the cursor of the next page.</summary>
public sealed record ModelListPage(IReadOnlyList<string> Models, string? NextCursor);

/// <summary>Reading helpers every listing shares, so each format's file holds only what is its own.</summary>
public static class ModelListJson
{
    /// <summary>The array under <paramref name="name"/>, or a <see cref="JsonException"/> naming what is missing.</summary>
    public static JsonElement.ArrayEnumerator ArrayOf(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : throw new JsonException($"the answer has no \"{name}\" array of models");

    /// <summary>The non-empty string under <paramref name="name"/>, else null.</summary>
    public static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    /// <summary>A base URI and a path below it: <c>https://h/v1</c> + <c>/models</c>, whatever slash the base ends in.</summary>
    public static Uri Below(Uri apiBase, string pathAndQuery) => new(apiBase.AbsoluteUri.TrimEnd('/') + pathAndQuery);
}
