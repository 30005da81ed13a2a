using System.Collections.Concurrent;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Host.Auth;
using Router.Host.Cluster;

namespace Router.Host.Proxy;

/// <summary>
/// Gets a successful request's cost confirmed in its key's journal (<c>router.settlement.confirm</c>).
/// The answer's last part waits for it: each ask waits one retry interval, and a key whose actor is
/// recovering (on the other node, after a crash) answers a later ask. After the settlement timeout,
/// or when the client left, the answer goes on and the settlement stays here, asked again every
/// retry interval while this node lives; the key's actor counts a request once however often it is asked.
/// </summary>
public sealed class SettlementOutbox(Admission admission, SettlementSettings settings, TimeProvider clock, ILogger<SettlementOutbox> logger)
    : BackgroundService
{
    private const int ParallelAsks = 32;
    private readonly ConcurrentDictionary<string, KeyBudget.Settle> _pending = new(StringComparer.Ordinal);
    private readonly KeyActorAsks _whileAnswering = new(settings.RetryInterval, settings.Timeout, "router.settlement.timeout");
    private readonly KeyActorAsks _inTheBackground = KeyActorAsks.Once(settings.RetryInterval, "router.settlement.retry-interval");

    public SettlementSettings Settings => settings;

    /// <summary>Settlements still waiting for their key's confirmation.</summary>
    public int Pending => _pending.Count;

    /// <summary>
    /// Settles and waits for the confirmation, up to the settlement timeout or until the client leaves;
    /// then hands the settlement to the background, and the answer goes on. Throws only when this node has left the
    /// pair unconfirmed (503 node_left): the answer is then not given.
    /// </summary>
    public async Task SettleAsync(AuthenticatedKey key, KeyBudget.Settle settle, CancellationToken requestAborted)
    {
        try
        {
            if (await admission.TrySettleConfirmedAsync(settle, _whileAnswering, requestAborted)) return;
            // This node left the pair before the cost was confirmed, and no retry from here can confirm it: the answer
            // must not go out as a success whose cost no key holds.
            if (admission.HasLeft) throw Admission.NodeLeft();
            logger.LogWarning(
                "The cost of request {RequestId} (key {Key}) was not confirmed in the key's journal within {Timeout} s; answering anyway and retrying in the background",
                settle.RequestId, key.Alias ?? key.DisplayPrefix, settings.Timeout.TotalSeconds);
        }
        catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
        {
            // The client left; its cost is owed all the same.
        }
        _pending[settle.RequestId] = settle;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Confirm) return;
        using var timer = new PeriodicTimer(settings.RetryInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                if (!_pending.IsEmpty) await RetryAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RetryAsync(CancellationToken stoppingToken)
    {
        var before = _pending.Count;
        await Parallel.ForEachAsync(_pending.Values.ToList(), new ParallelOptions { MaxDegreeOfParallelism = ParallelAsks, CancellationToken = stoppingToken },
            async (settle, ct) =>
            {
                if (await admission.TrySettleConfirmedAsync(settle, _inTheBackground, ct)) _pending.TryRemove(settle.RequestId, out _);
            });
        if (_pending.IsEmpty) logger.LogInformation("Every late settlement is now confirmed ({Count})", before);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_pending.IsEmpty) return;
        // Sent once more without waiting: the key flush that follows writes what reached this node's actors.
        foreach (var (_, settle) in _pending) admission.SettleKey(settle);
        logger.LogWarning("Stopping with {Count} settlements not confirmed by their keys; sent once more", _pending.Count);
    }
}
