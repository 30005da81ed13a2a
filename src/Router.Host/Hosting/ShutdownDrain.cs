namespace Router.Host.Hosting;

/// <summary>
/// The first step of a graceful stop (SIGTERM): readiness turns false, and in a pair the node keeps
/// serving for the drain delay, so a load balancer or keepalived sees it and sends new requests to the
/// peer before this node stops accepting them. Runs before any hosted service stops.
/// </summary>
public sealed class ShutdownDrain(TimeSpan drainDelay, ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        if (drainDelay <= TimeSpan.Zero) return;
        logger.LogInformation("Stopping: readiness is false; serving for {Delay} more while traffic moves to the peer", drainDelay);
        try
        {
            await Task.Delay(drainDelay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: stop now.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
