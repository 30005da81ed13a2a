using System.Collections.Concurrent;
using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Configuration;
using Router.Host.Http;
using Router.Host.Providers;
using Router.Host.Routing;

namespace Router.Host.Proxy;

/// <summary>What a request's attempts came to: the last outcome, and what to tell the client about them.</summary>
/// <param name="ServedBy">The model whose deployment gave the last outcome (differs from the request's after a fallback).</param>
/// <param name="Cost">What the last outcome cost, as settled with the key.</param>
/// <param name="KeyRemaining">The key's budget left besides this request when it was admitted (none without a budget).</param>
public sealed record AttemptsResult(CallOutcome Outcome, int Attempts, string? ServedBy, decimal Cost = 0, decimal? KeyRemaining = null)
{
    /// <summary>The model (after fallbacks) and deployment of the last attempt: what produced the answer, for the cache.</summary>
    public (RouteMatch Match, Deployment Deployment)? Producer { get; init; }
}

/// <summary>
/// Runs one admitted request's attempts. A model's deployments are tried in the order its strategy
/// gives; a retryable failure moves on (the same deployment again after a backoff, or the next one at
/// once) while the model's retries and retry budget last; then the model's fallbacks, each with its
/// own retries. Nothing is retried once the answer has started reaching the client, and a refusal the
/// caller caused is never retried. A prompt too long for a model goes straight to its
/// context-window fallbacks; a content refusal to its content-policy fallbacks.
/// <para>
/// The request settles with its key once. A successful answer settles just before its last part
/// leaves, so its cost is in the key's spend by the time the client holds it; with
/// <c>router.settlement.confirm</c> that part also waits until the cost is in the key's journal
/// (<see cref="SettlementOutbox"/>). Every other ending is told to the key when the attempts are over.
/// </para>
/// </summary>
public sealed class AttemptLoop(
    DeploymentSelector selector,
    DeploymentBoard board,
    Admission admission,
    UpstreamForwarder forwarder,
    SettlementOutbox settlements,
    TimeProvider clock)
{
    private readonly RetryBudgets _budgets = new(clock);

    /// <param name="config">The routing configuration the request started with: it keeps it to its end, whatever a reload does.</param>
    /// <param name="observeFrames">Sees each stream frame the client is sent.</param>
    public async Task<AttemptsResult> RunAsync(
        HttpContext context, ProxyRequest request, RoutingConfig config, RouteMatch route, ProxyOperation operation, string requestId,
        AuthenticatedKey key, Action<byte[]>? observeFrames = null, RequestTrace? trace = null)
    {
        var retry = config.Retry;
        var clientWantsUsage = request.StreamOptions?.IncludeUsage == true;
        var budget = _budgets.For(route.Group.ModelName, retry.BudgetRatio, retry.BudgetMinPerSecond);
        budget.RecordRequest();
        var attempt = new RequestAttempts(context, request, route, operation, requestId, key, clientWantsUsage, budget, observeFrames)
        {
            Config = config,
            Trace = trace,
            // The key counts each id once: a caller's own request id may come with more than one request.
            BudgetId = RequestIds.ForKeyBudget(context, requestId),
        };
        var cost = 0m;
        AttemptsResult result;
        try
        {
            result = await RunAttemptsAsync(attempt);
        }
        finally
        {
            // Once, whatever happened: the key's in-flight count and reservation must not leak.
            if (attempt.SettledCost is { } settled) cost = settled;
            else if (attempt.Admitted)
            {
                var usage = attempt.Last?.Usage ?? TokenUsage.None;
                if (attempt.LastMatch is { } match && attempt.LastDeployment is { } deployment) cost = config.Costs.Cost(match, deployment, usage);
                admission.SettleKey(key, attempt.BudgetId, route.RequestedModel, usage, cost);
            }
        }
        return result with { Cost = cost, KeyRemaining = attempt.KeyRemaining };
    }

    /// <summary>The state of one request's attempts.</summary>
    private sealed class RequestAttempts(
        HttpContext context, ProxyRequest request, RouteMatch route, ProxyOperation operation, string requestId,
        AuthenticatedKey key, bool clientWantsUsage, RetryBudget budget, Action<byte[]>? observeFrames)
    {
        public Action<byte[]>? ObserveFrames => observeFrames;
        public HttpContext Context => context;
        /// <summary>The request as it is sent: the client's, or a copy with a lower completion limit when the key's budget asked for one.</summary>
        public ProxyRequest Request { get; set; } = request;
        public RouteMatch Route => route;
        public ProxyOperation Operation => operation;
        public string RequestId => requestId;
        public AuthenticatedKey Key => key;
        public bool ClientWantsUsage => clientWantsUsage;
        public RetryBudget Budget => budget;
        public required RoutingConfig Config { get; init; }
        /// <summary>Request log: where each attempt is recorded.</summary>
        public RequestTrace? Trace { get; init; }
        /// <summary>What the key's budget actor knows the request by.</summary>
        public required string BudgetId { get; init; }
        public bool Admitted { get; set; }
        /// <summary>Set once the answer's cost was settled before its last part left: nothing is left to settle.</summary>
        public decimal? SettledCost { get; set; }
        public decimal? KeyRemaining { get; set; }
        public int Count { get; set; }
        public CallOutcome? Last { get; set; }
        public RouteMatch? LastMatch { get; set; }
        public Deployment? LastDeployment { get; set; }
        public string? ServedBy { get; set; }
        public TimeSpan ShortestRefusal { get; set; } = TimeSpan.MaxValue;
        public HashSet<Deployment> Tried { get; } = [];

        public AttemptsResult Result() => new(Last!, Count, ServedBy)
        {
            Producer = LastMatch is { } match && LastDeployment is { } deployment ? (match, deployment) : null,
        };
    }

    private async Task<AttemptsResult> RunAttemptsAsync(RequestAttempts attempt)
    {
        var route = attempt.Route;
        var pending = new LinkedList<RouteMatch>([route]);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var fallbacksQueued = false;

        while (pending.First is { } next)
        {
            pending.RemoveFirst();
            var match = next.Value;
            if (!visited.Add(match.Group.ModelName)) continue;
            var policy = match.Group.Policy;
            var order = selector.Order(match);

            if (policy.ContextWindowFallbacks!.Count > 0
                && order.All(d => attempt.Config.ContextWindows.Exceeds(attempt.Request, d, match.UpstreamModelFor(d))))
            {
                Prepend(attempt.Config, pending, policy.ContextWindowFallbacks);
                continue;
            }

            switch (await TryModelAsync(attempt, match, order))
            {
                case AttemptVerdict.Final or AttemptVerdict.CallerError:
                    return attempt.Result();
                case AttemptVerdict.ContextWindowExceeded:
                    Prepend(attempt.Config, pending, policy.ContextWindowFallbacks!);
                    break;
                case AttemptVerdict.ContentPolicy:
                    Prepend(attempt.Config, pending, policy.ContentPolicyFallbacks!);
                    break;
            }

            if (!fallbacksQueued)
            {
                // Only the requested model's fallbacks: a fallback's own fallbacks could loop.
                fallbacksQueued = true;
                foreach (var name in route.Group.Policy.Fallbacks!) Append(attempt.Config, pending, name);
            }
        }

        return attempt.Last is null
            ? new AttemptsResult(CallOutcome.Failed(AllCircuitsOpen(route, attempt.ShortestRefusal), false, TimeSpan.Zero), 0, null)
            : attempt.Result();
    }

    /// <summary>
    /// Tries one model's deployments until one answers, the caller is at fault, or its retries run out.
    /// Returns the verdict of its last attempt (<see cref="AttemptVerdict.Retryable"/> when none could be made).
    /// </summary>
    private async Task<AttemptVerdict> TryModelAsync(RequestAttempts attempt, RouteMatch match, IReadOnlyList<Deployment> order)
    {
        var context = attempt.Context;
        // Allocated when first needed: most requests end with their first attempt.
        HashSet<Deployment>? skip = null;
        Dictionary<Deployment, TimeSpan>? pauses = null;
        var triesLeft = 1 + match.Group.Policy.Retries!.Value;
        Deployment? previous = null;

        while (triesLeft > 0 && PickNext(order, skip, previous) is { } deployment)
        {
            // Every attempt after the first is a retry, and the model's retry budget must allow it.
            if (attempt.Count > 0 && !attempt.Budget.TryRetry()) return AttemptVerdict.Final;
            if (attempt.Tried.Contains(deployment))
            {
                // A second try of a deployment waits: its Retry-After when it gave a short one, else a backoff.
                var wait = pauses?.TryGetValue(deployment, out var pause) == true
                    ? pause + PauseMargin
                    : Backoff.Delay(attempt.Count, attempt.Config.Retry.BaseDelay, attempt.Config.Retry.MaxDelay, Random.Shared);
                await Task.Delay(wait, clock, context.RequestAborted);
            }
            var circuit = match.CircuitOf(deployment);
            PermitDecision permit;
            if (attempt.Admitted) permit = await admission.PermitAsync(circuit, attempt.RequestId);
            else
            {
                permit = await AdmitAsync(attempt, match, deployment, circuit);
                attempt.Admitted = true;
                attempt.KeyRemaining = permit.KeyRemaining;
            }
            if (!permit.Granted)
            {
                if (permit.RetryAfter < attempt.ShortestRefusal) attempt.ShortestRefusal = permit.RetryAfter;
                (skip ??= []).Add(deployment);
                continue;
            }

            triesLeft--;
            previous = deployment;
            var outcome = await AttemptAsync(attempt, match, deployment);
            var verdict = outcome.Verdict(context.Response.HasStarted);
            attempt.Trace?.Verdict(verdict); // request log
            if (verdict != AttemptVerdict.Retryable) return verdict;
            // A pause the provider asked for is waited out when it is short; a long one sends the request elsewhere.
            if (outcome.Error?.RetryAfter is { } asked)
            {
                if (asked > attempt.Config.Retry.MaxRetryAfter) (skip ??= []).Add(deployment);
                else (pauses ??= [])[deployment] = asked;
            }
        }
        return AttemptVerdict.Retryable;
    }

    /// <summary>
    /// The first attempt admits the key, reserving the most the request may cost; the master key has no
    /// budget or limits, so its requests skip the tokenizer. A budget that covers less lowers the request's
    /// completion limit: every attempt then sends the lowered request, and the answer says so.
    /// </summary>
    private async Task<PermitDecision> AdmitAsync(RequestAttempts attempt, RouteMatch match, Deployment deployment, string circuit)
    {
        var ct = attempt.Context.RequestAborted;
        if (attempt.Key.IsMaster) return await admission.AdmitAsync(attempt.Key, attempt.BudgetId, attempt.Route.RequestedModel, circuit, ct);
        var settings = attempt.Config.Settings;
        var estimate = attempt.Config.Costs.Estimate(attempt.Request, attempt.Operation, match);
        var permit = await admission.AdmitAsync(attempt.Key, attempt.BudgetId, attempt.Route.RequestedModel, circuit, ct, estimate.Cost, estimate.Tokens,
            estimate.LowerableTo(settings.BudgetMinCompletionTokens), unpriced: !estimate.Priced && settings.Unpriced == UnpricedModels.Refuse);
        if (permit.CappedMaxTokens is { } limit)
        {
            attempt.Request = CompletionCap.Lower(attempt.Request, limit, attempt.Config.Providers.Get(deployment.ProviderName).Settings, attempt.Operation);
            attempt.Context.Response.Headers[CompletionCap.Header] = CompletionCap.Format(limit);
        }
        return permit;
    }

    // The breaker starts the provider's pause when its report arrives, a moment after the wait begins here.
    private static readonly TimeSpan PauseMargin = TimeSpan.FromMilliseconds(50);

    private async Task<CallOutcome> AttemptAsync(RequestAttempts attempt, RouteMatch match, Deployment deployment)
    {
        var headers = attempt.Context.Response.Headers;
        var circuit = match.CircuitOf(deployment);
        attempt.Count++;
        attempt.Tried.Add(deployment);
        attempt.ServedBy = match.Group.ModelName;
        // Set before the attempt: a successful one starts the response, after which headers are fixed.
        headers["x-router-attempts"] = attempt.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (match.Group != attempt.Route.Group) headers["x-router-fallback"] = match.RequestedModel;
        else headers.Remove("x-router-fallback");
        // A stream's headers leave before its cost is known: it is told what the key had left before it.
        if (attempt.KeyRemaining is { } remaining) headers[ChargeHeaders.KeyRemaining] = ChargeHeaders.Format(remaining);
        // A JSON answer's cost is known before its headers leave.
        ValueTask Charge(TokenUsage usage)
        {
            var cost = attempt.Config.Costs.Cost(match, deployment, usage);
            ChargeHeaders.Write(headers, cost, attempt.KeyRemaining);
            return SettleAnswerAsync(attempt, usage, cost);
        }
        // A stream's cost is known at its end, before its closing frames.
        ValueTask Finishing(TokenUsage usage) => SettleAnswerAsync(attempt, usage, attempt.Config.Costs.Cost(match, deployment, usage));

        CallOutcome outcome;
        attempt.Trace?.AttemptStarting(); // request log
        try
        {
            using (board.Enter(circuit))
                outcome = await forwarder.ForwardAsync(attempt.Context, attempt.Config.Providers.Get(deployment.ProviderName), attempt.Request, match,
                    deployment, attempt.Operation,
                    attempt.RequestId, attempt.ClientWantsUsage, attempt.ObserveFrames, Charge,
                    Finishing);
        }
        catch
        {
            // The permit must be given back, or a half-open circuit would wait for a probe that never reports.
            admission.Report(circuit, CallOutcome.ClientGone());
            throw;
        }
        admission.Report(circuit, outcome);
        attempt.Trace?.AttemptEnded(deployment, outcome); // request log
        attempt.Last = outcome;
        attempt.LastMatch = match;
        attempt.LastDeployment = deployment;
        return outcome;
    }

    /// <summary>
    /// Settles a successful answer's cost before its last part reaches the client, so that whoever holds
    /// the answer finds it in the key's spend (<c>/key/info</c> asks the same actor, which reads its
    /// messages in order). With <c>router.settlement.confirm</c> the answer also waits until the key's
    /// journal has it. Nothing is settled again at the end.
    /// </summary>
    private ValueTask SettleAnswerAsync(RequestAttempts attempt, TokenUsage usage, decimal cost)
    {
        if (settlements.Settings.Confirm) return SettleConfirmedAsync(attempt, usage, cost);
        attempt.SettledCost = cost;
        admission.SettleKey(attempt.Key, attempt.BudgetId, attempt.Route.RequestedModel, usage, cost);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Settles the answer's cost and waits until the key's journal has it (or the settlement timeout
    /// passed, or the client left: the outbox then keeps trying).
    /// </summary>
    private async ValueTask SettleConfirmedAsync(RequestAttempts attempt, TokenUsage usage, decimal cost)
    {
        attempt.SettledCost = cost;
        var settle = new KeyBudget.Settle(attempt.Key.KeyId, attempt.BudgetId, attempt.Route.RequestedModel, usage, cost, Confirm: true);
        await settlements.SettleAsync(attempt.Key, settle, attempt.Context.RequestAborted);
    }

    /// <summary>
    /// The next deployment to try: first the first in order; after a failure, the next one in order
    /// (wrapping round to retry the ones already tried).
    /// </summary>
    private static Deployment? PickNext(IReadOnlyList<Deployment> order, HashSet<Deployment>? skip, Deployment? previous)
    {
        var usable = skip is null ? order : order.Where(d => !skip.Contains(d)).ToList();
        if (usable.Count == 0) return null;
        if (previous is null) return usable[0];
        var after = -1;
        for (var i = 0; i < usable.Count; i++)
            if (usable[i] == previous) after = i;
        return usable[(after + 1) % usable.Count];
    }

    private static void Prepend(RoutingConfig config, LinkedList<RouteMatch> pending, IReadOnlyList<string> models)
    {
        for (var i = models.Count - 1; i >= 0; i--)
            if (config.Routes.Resolve(models[i]) is { } match) pending.AddFirst(match);
    }

    private static void Append(RoutingConfig config, LinkedList<RouteMatch> pending, string model)
    {
        if (config.Routes.Resolve(model) is { } match) pending.AddLast(match);
    }

    private static RouterError AllCircuitsOpen(RouteMatch route, TimeSpan retryAfter) => RouterError.Unavailable(
        $"Every deployment of '{route.RequestedModel}' (and of its fallbacks) is failing and its circuit is open; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s.",
        "circuit_open", retryAfter, route.Deployment.Id);
}
