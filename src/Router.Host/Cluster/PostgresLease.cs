using Akka.Actor;
using Akka.Coordination;
using Akka.Event;

namespace Router.Host.Cluster;

/// <summary>
/// An Akka.Coordination lease kept in the pair's PostgreSQL, for the split-brain resolver's
/// <c>lease-majority</c> strategy: when the two nodes lose sight of each other, the one that takes this
/// lease stays up and the other downs itself, so either node may be the one that crashed. While held it
/// is renewed every heartbeat-interval; a renewal that fails past heartbeat-timeout reports the lease lost.
/// </summary>
public sealed class PostgresLease : Lease
{
    private readonly LeaseStore _store;
    private readonly ILoggingAdapter _log;
    private readonly object _gate = new();
    private CancellationTokenSource? _heartbeat;
    private DateTimeOffset _heldUntil = DateTimeOffset.MinValue;

    public PostgresLease(LeaseSettings settings, ExtendedActorSystem system) : base(settings)
    {
        var connectionString = settings.LeaseConfig.GetString("connection-string", null)
            ?? throw new ArgumentException("the cluster lease has no connection-string (router.storage.connection-string)");
        _store = new LeaseStore(connectionString);
        _log = Logging.GetLogger(system, typeof(PostgresLease));
    }

    private TimeSpan Ttl => Settings.TimeoutSettings.HeartbeatTimeout;

    /// <summary>How many attempts, a heartbeat interval apart, the witness has to answer before the lease is taken without it.</summary>
    private const int WitnessAttempts = 2;

    public override Task<bool> Acquire() => Acquire(_ => { });

    /// <summary>
    /// Takes the lease, trying again until the operation timeout (a database that answers slowly): the
    /// split-brain resolver waits for this with no timeout of its own. A holder that crashed stopped renewing
    /// more than one TTL before its peer asks (the settings reader makes sure of it), so the node that outlived
    /// its peer gets the lease; a holder that is alive keeps renewing, and the asker gives up.
    /// <para>
    /// When PostgreSQL, the witness, does not answer at all (it was on the machine that died with the peer, the
    /// usual homelab layout), the node takes the lease without it: it cannot tell a dead peer from a cut link, and
    /// a pair that downs both of its nodes serves nothing. Availability wins; docs/operations.md says what a cut
    /// with the witness unreachable costs (both nodes serve, and their spend merges when the link is back).
    /// </para>
    /// </summary>
    public override async Task<bool> Acquire(Action<Exception> leaseLostCallback)
    {
        var deadline = DateTimeOffset.UtcNow + Settings.TimeoutSettings.OperationTimeout - Settings.TimeoutSettings.HeartbeatInterval;
        var witnessAnswered = false;
        for (var attempt = 1; ; attempt++)
        {
            var (acquired, answered) = await TryAcquireOnceAsync();
            witnessAnswered |= answered;
            if (acquired) break;
            // Twice without an answer is enough: every second waited here is a second the peer's keys are not served.
            if (!witnessAnswered && attempt >= WitnessAttempts)
            {
                _log.Warning("PostgreSQL, the witness of lease {0}, did not answer: this node takes the lease without it and stays up", Settings.LeaseName);
                break;
            }
            if (DateTimeOffset.UtcNow + Settings.TimeoutSettings.HeartbeatInterval > deadline) return false;
            await Task.Delay(Settings.TimeoutSettings.HeartbeatInterval);
        }
        lock (_gate)
        {
            _heldUntil = DateTimeOffset.UtcNow + Ttl;
            _heartbeat?.Cancel();
            _heartbeat = new CancellationTokenSource();
            _ = RenewAsync(leaseLostCallback, _heartbeat.Token);
        }
        return true;
    }

    /// <summary>Whether the lease was taken, and whether the database answered at all.</summary>
    private async Task<(bool Acquired, bool Answered)> TryAcquireOnceAsync()
    {
        using var timeout = new CancellationTokenSource(Settings.TimeoutSettings.HeartbeatInterval);
        try
        {
            return (await _store.TryAcquireAsync(Settings.LeaseName, Settings.OwnerName, Ttl, timeout.Token), true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Warning("Could not take lease {0}: {1}", Settings.LeaseName, e.Message);
            return (false, false);
        }
    }

    public override async Task<bool> Release()
    {
        lock (_gate)
        {
            _heartbeat?.Cancel();
            _heartbeat = null;
            _heldUntil = DateTimeOffset.MinValue;
        }
        using var timeout = new CancellationTokenSource(Settings.TimeoutSettings.OperationTimeout);
        await _store.ReleaseAsync(Settings.LeaseName, Settings.OwnerName, timeout.Token);
        return true;
    }

    public override bool CheckLease()
    {
        lock (_gate) return _heartbeat is not null && DateTimeOffset.UtcNow < _heldUntil;
    }

    private async Task RenewAsync(Action<Exception> leaseLost, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Settings.TimeoutSettings.HeartbeatInterval, ct);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(Settings.TimeoutSettings.OperationTimeout);
                if (await _store.TryAcquireAsync(Settings.LeaseName, Settings.OwnerName, Ttl, timeout.Token))
                {
                    lock (_gate) _heldUntil = DateTimeOffset.UtcNow + Ttl;
                    continue;
                }
                Lost(new InvalidOperationException($"lease '{Settings.LeaseName}' was taken by another owner"));
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be back before the lease expires; only past that is the lease lost.
                _log.Warning("Could not renew lease {0}: {1}", Settings.LeaseName, e.Message);
                if (DateTimeOffset.UtcNow >= _heldUntil)
                {
                    Lost(e);
                    return;
                }
            }
        }

        void Lost(Exception cause)
        {
            lock (_gate)
            {
                _heartbeat = null;
                _heldUntil = DateTimeOffset.MinValue;
            }
            _log.Warning("Lease {0} lost: {1}", Settings.LeaseName, cause.Message);
            leaseLost(cause);
        }
    }
}
