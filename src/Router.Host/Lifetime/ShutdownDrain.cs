namespace Router.Host.Lifetime;

/// <summary>
/// The first steps of a graceful stop (SIGTERM): readiness turns false, and in a pair the node keeps
/// serving for the drain delay, so a load balancer or keepalived sees it and sends new requests to the
/// peer before this node stops accepting them. Runs before any hosted service stops.
/// <para>
/// Then answers still under way get <c>router.stop-grace</c> to finish, and are cut (<see cref="AnswersCut"/>):
/// the web server would otherwise wait for them until the host's own shutdown timeout, and only then
/// abort them, when the key actors and the request log have no time left to keep what they used.
/// </para>
/// </summary>
public sealed class ShutdownDrain(TimeSpan drainDelay, TimeSpan stopGrace, ILogger<ShutdownDrain> logger) : IHostedLifecycleService, IDisposable
{
    /// <summary>Time the key actors and the request log are given to write what the cut answers used.</summary>
    public static readonly TimeSpan WritingTime = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _cut = new();
    private volatile bool _draining;

    public bool Draining => _draining;

    /// <summary>Cancelled when answers still under way must end: their upstream calls stop, and what they used is charged.</summary>
    public CancellationToken AnswersCut => _cut.Token;

    /// <summary>What the host must allow a stop, so that the drain, the grace and the writing fit in it.</summary>
    public static TimeSpan ShutdownTimeout(TimeSpan drainDelay, TimeSpan stopGrace) => drainDelay + stopGrace + WritingTime;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        if (drainDelay > TimeSpan.Zero)
        {
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
        _cut.CancelAfter(stopGrace);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _cut.Dispose();
}
