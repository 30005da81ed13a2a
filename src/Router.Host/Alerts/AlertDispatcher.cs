using System.Threading.Channels;
using Router.Contracts.Configuration;

namespace Router.Host.Alerts;

/// <summary>
/// Sends alerts in the background: <see cref="Publish"/> only queues (a bounded queue; when full the alert is
/// recorded as failed rather than waited for), so nothing that raises an alert ever waits on a webhook. Each
/// target gets a few tries with a doubling wait, then the delivery is marked failed. Logs name the target, never its URL.
/// </summary>
public sealed class AlertDispatcher(AlertsSettings settings, AlertHistory history, TimeProvider clock, ILogger<AlertDispatcher> logger)
    : BackgroundService
{
    private const int QueueLength = 256;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<(long Id, AlertEvent Alert, AlertTarget[] Targets)> _queue =
        Channel.CreateBounded<(long, AlertEvent, AlertTarget[])>(new BoundedChannelOptions(QueueLength) { SingleReader = true });

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = SendTimeout };

    public IReadOnlyList<AlertTarget> Targets => settings.Targets;

    public void Publish(AlertEvent alert)
    {
        var targets = settings.Targets.Where(t => t.Wants(alert.Event)).ToArray();
        logger.LogWarning("Alert {Event}: {Summary}", alert.Event, alert.Summary);
        if (targets.Length == 0) return;
        var id = history.Add(alert, targets);
        if (_queue.Writer.TryWrite((id, alert, targets))) return;
        foreach (var target in targets)
            history.Update(id, Delivery(target, DeliveryStatus.Failed, 0, "not sent: the alert queue is full"));
    }

    /// <summary>Sends a test notification to every target now and gives each one's outcome (<c>router alerts test</c>).</summary>
    public async Task<IReadOnlyList<DeliveryView>> TestAsync(string node, CancellationToken ct)
    {
        var alert = new AlertEvent(AlertEvents.Test, AlertSeverity.Info, "test", "test notification: this target receives the router's alerts",
            new Dictionary<string, string> { ["requested-by"] = "router alerts test" }, node, clock.GetUtcNow());
        logger.LogInformation("Alert test to {Count} targets", settings.Targets.Count);
        var id = history.Add(alert, settings.Targets);
        return await Task.WhenAll(settings.Targets.Select(t => DeliverAsync(id, alert, t, ct)));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (id, alert, targets) in _queue.Reader.ReadAllAsync(stoppingToken))
                await Task.WhenAll(targets.Select(t => DeliverAsync(id, alert, t, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is not sent; the history goes with the process.
        }
    }

    private async Task<DeliveryView> DeliverAsync(long id, AlertEvent alert, AlertTarget target, CancellationToken ct)
    {
        var delay = settings.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var error = await SendOnceAsync(alert, target, ct);
            if (error is null)
            {
                var sent = Delivery(target, DeliveryStatus.Sent, attempt, null);
                history.Update(id, sent);
                return sent;
            }
            if (attempt >= settings.Attempts || ct.IsCancellationRequested)
            {
                logger.LogWarning("Alert {Event} to target {Target} failed after {Attempts} tries: {Error}", alert.Event, target.Name, attempt, error);
                var failed = Delivery(target, DeliveryStatus.Failed, attempt, error);
                history.Update(id, failed);
                return failed;
            }
            history.Update(id, Delivery(target, DeliveryStatus.Retrying, attempt, error));
            try
            {
                await Task.Delay(delay, clock, ct);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the next pass sees the token and marks it failed.
            }
            delay *= 2;
        }
    }

    /// <summary>One try; null when the target took it, else why not in words that hold no URL or token.</summary>
    private async Task<string?> SendOnceAsync(AlertEvent alert, AlertTarget target, CancellationToken ct)
    {
        try
        {
            using var request = AlertPayloads.Request(target, alert);
            using var response = await _http.SendAsync(request, ct);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {SendTimeout.TotalSeconds:0} s";
        }
        catch (OperationCanceledException)
        {
            return "stopped before it was sent";
        }
        catch (HttpRequestException e)
        {
            // The exception's text can hold the host; its kind is enough to act on.
            return e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "the host name does not resolve",
                HttpRequestError.ConnectionError => "connection failed",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                _ => "request failed",
            };
        }
    }

    private DeliveryView Delivery(AlertTarget target, string status, int attempts, string? error) =>
        new(target.Name, target.Format.ToString().ToLowerInvariant(), status, attempts, error, clock.GetUtcNow());

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
