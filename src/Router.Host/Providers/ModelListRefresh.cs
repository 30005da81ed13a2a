using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Host.Translation;

namespace Router.Host.Providers;

/// <summary>What the refresh reads each time it looks: the route table, provider clients and interval in force now.</summary>
/// <param name="Interval">How often a provider is asked (<c>router.model-lists.refresh-interval</c>) unless it discovers.</param>
public sealed record ModelListSources(RouteTable Routes, ProviderClients Clients, TimeSpan Interval);

/// <summary>
/// Keeps <see cref="DiscoveredModels"/> current: every provider a wildcard route sends to is asked for its
/// models at start, then every interval (its <c>discover-interval</c> when it discovers, else
/// <c>router.model-lists.refresh-interval</c>), and again as soon as a reload changes its configuration.
/// A provider that does not answer has its models hidden and is asked again next interval; the router
/// itself is unaffected. One log line per change of state, not per poll, and never the key.
/// </summary>
public sealed class ModelListRefresh(
    Func<ModelListSources> current, DiscoveredModels lists, TimeProvider clock, ILogger<ModelListRefresh> logger)
    : BackgroundService
{
    /// <summary>How often the route table is looked at for providers that are due (a look costs no I/O).</summary>
    private static readonly TimeSpan Look = TimeSpan.FromSeconds(1);

    /// <summary>The longest one provider's whole list (every page) may take before it counts as not answering.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    // Touched by the loop alone; each entry's Listed by its one running refresh.
    private readonly Dictionary<string, Watched> _watched = new(StringComparer.Ordinal);

    private sealed class Watched(ProviderSettings settings)
    {
        public ProviderSettings Settings { get; set; } = settings;
        public DateTimeOffset Due { get; set; }
        public Task Running { get; set; } = Task.CompletedTask;
        /// <summary>Whether the last answer was a list; null before the first.</summary>
        public bool? Listed { get; set; }

        /// <summary>No wildcard route sends to the provider any more: a refresh still under way must not bring its list back.</summary>
        public volatile bool Retired;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Look, clock);
        do
        {
            // Not awaited: a slow provider must not hold back the others' turns.
            _ = RefreshThoseDueAsync(stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
        await Task.WhenAll(_watched.Values.Select(w => w.Running));
    }

    /// <summary>
    /// One look: starts the refresh of each provider that is due (and not still being asked), forgets those no wildcard
    /// route sends to any more. The task ends when the refreshes it started have; called by one caller at a time.
    /// </summary>
    public Task RefreshThoseDueAsync(CancellationToken ct)
    {
        var started = new List<Task>();
        var sources = current();
        var wanted = sources.Routes.Deployments
            .Where(d => d.IsPattern)
            .Select(d => sources.Clients.Find(d.ProviderName))
            .OfType<ProviderClient>()
            .DistinctBy(c => c.Settings.Name)
            .ToDictionary(c => c.Settings.Name, StringComparer.Ordinal);
        foreach (var gone in _watched.Keys.Where(name => !wanted.ContainsKey(name)).ToList())
        {
            _watched[gone].Retired = true;
            _watched.Remove(gone);
            lists.Hide(gone);
        }
        var now = clock.GetUtcNow();
        foreach (var (name, client) in wanted)
        {
            if (!_watched.TryGetValue(name, out var watched)) _watched[name] = watched = new Watched(client.Settings) { Due = now };
            // A reload made new settings (a new key, another address): the old list may be wrong, ask now.
            if (!ReferenceEquals(watched.Settings, client.Settings)) (watched.Settings, watched.Due) = (client.Settings, now);
            if (!watched.Running.IsCompleted || now < watched.Due) continue;
            if (ProviderRegistry.Of(client.Settings.Type).CreateModelListing?.Invoke(client.Settings) is not { } listing) continue;
            watched.Due = now + (client.Settings.Discovery?.Interval ?? sources.Interval);
            watched.Running = RefreshAsync(watched, client, listing, ct);
            started.Add(watched.Running);
        }
        return Task.WhenAll(started);
    }

    private async Task RefreshAsync(Watched watched, ProviderClient client, IModelListing listing, CancellationToken stopping)
    {
        var name = client.Settings.Name;
        var where = listing.PageRequest(client.Settings.ApiBase, null).Uri.GetLeftPart(UriPartial.Path);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        limit.CancelAfter(RequestTimeout);
        try
        {
            var models = await ModelListFetch.FetchAsync(client, listing, limit.Token);
            if (watched.Retired) return;
            lists.Set(name, models);
            if (watched.Listed != true)
                logger.LogInformation("Provider '{Provider}' lists {Count} models at {Uri}", name, models.Length, where);
            watched.Listed = true;
        }
        // Whatever went wrong, it went wrong for this provider alone: its models are hidden, the others' stay.
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            lists.Hide(name);
            if (watched.Listed != false)
                logger.LogWarning("Provider '{Provider}' did not list its models at {Uri} ({Reason}); they are hidden from /v1/models until it answers",
                    name, where, Reason(e));
            watched.Listed = false;
        }
        catch (OperationCanceledException)
        {
            // Stopping: nothing to record.
        }
    }

    /// <summary>
    /// What the log says went wrong. Only messages known to hold no secret are quoted (a connection error names
    /// the host, ours the status, a JSON one the position); any other exception is named by its type alone.
    /// </summary>
    private static string Reason(Exception e) => e switch
    {
        OperationCanceledException => $"no answer within {RequestTimeout.TotalSeconds:0} s",
        HttpRequestException or ModelListException or System.Text.Json.JsonException or TimeoutException => e.Message,
        _ => e.GetType().Name,
    };

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
}
