using Akka.Actor;
using Akka.Hosting;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Caching;
using Router.Host.Hosting;
using Router.Host.Storage;

namespace Router.Host.Http;

/// <summary>
/// Liveness: the process answers. Readiness: the actor system runs, the master key's budget actor
/// answers (so its journal recovered), and the database answers. Neither needs a key or shows a secret.
/// </summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static IResult Liveness() => Results.Json(new HealthReport("alive"), WireJsonContext.Wire.HealthReport);

    public static async Task<IResult> ReadinessAsync(
        ActorSystem system, IRequiredActor<KeyBudgetActor> keyBudgets, RouterStorage storage, IResponseCacheStore cache, ShutdownDrain drain,
        CancellationToken ct)
    {
        var checks = new Dictionary<string, string>();
        var ready = true;
        if (drain.Draining)
        {
            checks["node"] = "stopping";
            ready = false;
        }
        if (system is ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider })
        {
            // A node of the pair serves once it is a member: before that its keys' actors cannot be reached.
            var membership = Akka.Cluster.Cluster.Get(system).SelfMember.Status;
            checks["cluster"] = membership == Akka.Cluster.MemberStatus.Up ? "ok" : $"member {membership.ToString().ToLowerInvariant()}";
            ready &= membership == Akka.Cluster.MemberStatus.Up;
        }

        if (system.WhenTerminated.IsCompleted)
        {
            checks["actor-system"] = "terminated";
            ready = false;
        }
        else
        {
            checks["actor-system"] = "ok";
            try
            {
                var budgets = await keyBudgets.GetAsync(ct);
                var state = await budgets.Ask<KeyBudget.State>(new KeyBudget.GetState(KeyAuthenticator.MasterKeyId), ProbeTimeout, ct);
                var provisioned = state.IsProvisioned;
                checks["key-budgets"] = provisioned ? "ok" : "master key not provisioned yet";
                ready &= provisioned;
            }
            catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
            {
                checks["key-budgets"] = "no answer within 2 s";
                ready = false;
            }
        }

        var (storageOk, detail) = await storage.ProbeAsync(ct);
        checks["storage"] = detail;
        ready &= storageOk;

        // The cache is an optimisation: without Redis the router still serves, so it only degrades readiness.
        var cacheHealth = cache.Health;
        checks["cache"] = cacheHealth.State == CacheHealthState.Ok ? "ok" : cacheHealth.Detail;
        var status = !ready ? "not ready" : cacheHealth.State == CacheHealthState.Ok ? "ready" : "degraded";
        return Results.Json(new HealthReport(status, checks), WireJsonContext.Wire.HealthReport,
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
