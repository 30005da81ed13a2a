using System.Collections.Immutable;
using System.Text.Json;
using Router.Host.Translation;

namespace Router.Host.Providers;

/// <summary>
/// Asks one provider for its whole model list, page after page, through its client (so with its key, sent
/// the way its dialect sends it). Throws <see cref="ModelListException"/> when the provider refuses or
/// fails, <see cref="JsonException"/> when what it answered is not a model list.
/// </summary>
public static class ModelListFetch
{
    /// <summary>More pages than any provider has (Anthropic and Gemini give up to 1000 models a page): a cursor going round in circles stops here.</summary>
    public const int MaxPages = 50;

    /// <returns>The upstream names, each once, in ordinal order.</returns>
    public static async Task<ImmutableArray<string>> FetchAsync(ProviderClient client, IModelListing listing, CancellationToken ct)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var request = listing.PageRequest(client.Settings.ApiBase, cursor);
            using var response = await client.GetAsync(request.Uri, request.Headers, ct);
            // The body is not read into the message: a provider's error may quote part of the key it was sent.
            if (!response.IsSuccessStatusCode)
                throw new ModelListException($"{request.Uri.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: ct);
            var read = listing.ReadPage(document.RootElement);
            names.UnionWith(read.Models.Where(name => name.Length > 0));
            if (read.NextCursor is null || read.NextCursor == cursor) return [.. names];
            cursor = read.NextCursor;
        }
        return [.. names];
    }
}

/// <summary>A provider did not give its model list; the message says what it answered, never with what key.</summary>
public sealed class ModelListException(string message) : Exception(message);
