using Akka.Actor;
using Akka.Hosting;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Caching;
using Router.Host.Lifetime;
using Router.Host.RequestLog;
using Router.Host.Storage;

namespace Router.Host.Health;

/// <summary>
/// Liveness: the process answers. Readiness: the actor system runs and the master key's budget actor
/// answers (so its journal recovered); a database or cache that does not answer only degrades it. Neither needs a key or shows a secret;
/// readiness gives each check's reason only to the master key (see <see cref="ReadinessChecks"/>).
/// </summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static IResult Liveness() => Results.Json(new HealthReport("alive"), WireJsonContext.Wire.HealthReport);

    public static async Task<IResult> ReadinessAsync(
        HttpContext context, ActorSystem system, IRequiredActor<KeyBudgetActor> keyBudgets, RouterStorage storage, IResponseCacheStore cache,
        ShutdownDrain drain, KeyAuthenticator authenticator, RequestLogWriter requestLog, CancellationToken ct)
    {
        var checks = new ReadinessChecks();
        if (drain.Draining) checks.Failing("node", "stopping");
        if (system is ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider })
        {
            // A node of the pair serves once it is a member: before that its keys' actors cannot be reached.
            var membership = Akka.Cluster.Cluster.Get(system).SelfMember.Status;
            if (membership == Akka.Cluster.MemberStatus.Up) checks.Ok("cluster");
            else checks.Failing("cluster", $"member {membership.ToString().ToLowerInvariant()}");
        }

        if (system.WhenTerminated.IsCompleted) checks.Failing("actor-system", "terminated");
        else
        {
            checks.Ok("actor-system");
            try
            {
                var budgets = await keyBudgets.GetAsync(ct);
                var state = await budgets.Ask<KeyBudget.State>(new KeyBudget.GetState(KeyAuthenticator.MasterKeyId), ProbeTimeout, ct);
                if (state.IsProvisioned) checks.Ok("key-budgets");
                else checks.Failing("key-budgets", "master key not provisioned yet");
            }
            catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
            {
                checks.Failing("key-budgets", "no answer within 2 s");
            }
        }

        var (storageOk, detail) = await storage.ProbeAsync(ct);
        // Without the database the node still serves every existing key (its key directory's index, the keys'
        // actors and their replica); only key changes wait for it, so it degrades readiness rather than fails it.
        if (storageOk) checks.Ok("storage");
        else checks.Degraded("storage", detail);
        // Rows waiting in the outbox reach the database once it takes them: nothing is lost, the log is behind.
        if (requestLog.OutboxRows is var waiting and > 0) checks.Degraded("request-log", $"{waiting} rows wait in the outbox for the database");
        else checks.Ok("request-log");

        // The cache is an optimisation: without Redis the router still serves, so it only degrades readiness.
        var cacheHealth = cache.Health;
        if (cacheHealth.State == CacheHealthState.Ok) checks.Ok("cache");
        else checks.Degraded("cache", cacheHealth.Detail);

        var withReasons = authenticator.IsMaster(context.Request.Headers.Authorization);
        return Results.Json(new HealthReport(checks.Status, checks.View(withReasons)), WireJsonContext.Wire.HealthReport,
            statusCode: checks.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
