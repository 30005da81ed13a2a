using Akka.Actor;
using Router.Contracts.Configuration;

namespace Router.Host.Cluster;

/// <summary>
/// How a node of the pair gets into the cluster. It first looks for a running peer and joins it; only
/// if none answers within join-timeout does it form the cluster itself, and only while it holds the
/// formation lease in the shared PostgreSQL, so two nodes started at the same moment never form two
/// clusters, and a node whose peer is down still starts. A member keeps the lease renewed (taking it
/// over when the node that formed the cluster is gone), so a peer that restarts joins it rather than
/// forming its own.
/// </summary>
public sealed class ClusterFormation(ActorSystem system, ClusterSettings settings, LeaseStore leases, ILogger<ClusterFormation> logger)
    : BackgroundService
{
    public const string LeaseName = "router-formation";

    private string Owner => Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        var peers = settings.SeedNodes.Where(seed => seed != settings.SelfSeed)
            .Select(seed => Address.Parse(settings.AkkaAddress(seed))).ToList();
        // Akka's join process without this node in the list only ever joins a running cluster.
        if (peers.Count > 0) cluster.JoinSeedNodes(peers);

        while (!up.Task.IsCompleted && !ct.IsCancellationRequested)
        {
            await Task.WhenAny(up.Task, Task.Delay(settings.JoinTimeout, ct)).ConfigureAwait(false);
            if (up.Task.IsCompleted) break;
            if (await TryHoldLeaseAsync(ct))
            {
                logger.LogInformation("No running peer answered within {Timeout}; forming the cluster at {Address}", settings.JoinTimeout, cluster.SelfAddress);
                cluster.Join(cluster.SelfAddress);
            }
            else logger.LogInformation("Waiting for the peer that holds the formation lease to let this node join");
        }

        while (!ct.IsCancellationRequested)
        {
            await TryHoldLeaseAsync(ct);
            await Task.Delay(settings.LeaseTtl / 3, ct).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAsync(LeaseName, Owner, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Could not release the formation lease (it expires by itself): {Reason}", e.Message);
        }
    }

    /// <summary>Takes or renews the lease; false while the peer holds it (or the database does not answer).</summary>
    private async Task<bool> TryHoldLeaseAsync(CancellationToken ct)
    {
        try
        {
            return await leases.TryAcquireAsync(LeaseName, Owner, settings.LeaseTtl, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("The formation lease could not be read: {Reason}", e.Message);
            return false;
        }
    }
}
