using System.Collections.Immutable;
using System.Text.Json;
using Router.Contracts.Configuration;

namespace Router.Host.Providers;

/// <summary>
/// Polls each discovering provider's native <c>GET /api/tags</c> (Ollama) and keeps its model names in
/// <see cref="DiscoveredModels"/>. A provider that does not answer has its models hidden and is asked
/// again next interval; the router itself is unaffected. One log line per change of state, not per poll.
/// </summary>
public sealed class OllamaDiscovery(RouterSettings settings, DiscoveredModels discovered, ILogger<OllamaDiscovery> logger)
    : BackgroundService
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(settings.Providers
            .Where(p => p.IsUsable && p.Discovery is not null)
            .Select(p => PollAsync(p, p.Discovery!.Interval, stoppingToken)));

    private async Task PollAsync(ProviderSettings provider, TimeSpan interval, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = RequestTimeout };
        var tagsUri = TagsUri(provider.ApiBase);
        bool? reachable = null;
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await using var body = await http.GetStreamAsync(tagsUri, ct);
                var models = ParseTags(await JsonDocument.ParseAsync(body, cancellationToken: ct));
                discovered.Set(provider.Name, models);
                if (reachable != true)
                    logger.LogInformation("Provider '{Provider}' has {Count} models: {Models}", provider.Name, models.Length, string.Join(", ", models));
                reachable = true;
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                discovered.Set(provider.Name, []);
                if (reachable != false)
                    logger.LogWarning("Provider '{Provider}' did not list its models at {Uri} ({Reason}); they are hidden until it answers",
                        provider.Name, tagsUri, e.Message);
                reachable = false;
            }
        }
        while (await WaitAsync(timer, ct));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Ollama's native API sits beside its OpenAI-compatible one: <c>…/v1</c> → <c>…/api/tags</c>.</summary>
    public static Uri TagsUri(Uri apiBase)
    {
        var root = apiBase.AbsoluteUri.TrimEnd('/');
        if (root.EndsWith("/v1", StringComparison.Ordinal)) root = root[..^3];
        return new Uri(root + "/api/tags");
    }

    /// <summary>The <c>name</c> of each entry of <c>{"models": [...]}</c>, as Ollama answers <c>/api/tags</c>.</summary>
    public static ImmutableArray<string> ParseTags(JsonDocument tags)
    {
        using (tags)
        {
            if (tags.RootElement.ValueKind != JsonValueKind.Object
                || !tags.RootElement.TryGetProperty("models", out var models)
                || models.ValueKind != JsonValueKind.Array) return [];
            return [.. models.EnumerateArray()
                .Select(m => m.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null)
                .OfType<string>()
                .Where(n => n.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)];
        }
    }
}
