using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Configuration;
using Router.Host.Http;

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

    public async Task<AttemptsResult> RunAsync(ProxyExchange exchange)
    {
        var retry = exchange.Routing.Retry;
        var budget = _budgets.For(exchange.Route.Group.ModelName, retry.BudgetRatio, retry.BudgetMinPerSecond);
        budget.RecordRequest();
        // The key counts each id once: a caller's own request id may come with more than one request.
        var attempt = new RequestAttempts(exchange, budget, RequestIds.ForKeyBudget(exchange.Context, exchange.RequestId));
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
                if (attempt.LastMatch is { } match && attempt.LastDeployment is { } deployment) cost = exchange.Routing.Costs.Cost(match, deployment, usage);
                admission.SettleKey(exchange.Key, attempt.BudgetId, exchange.Route.RequestedModel, usage, cost);
            }
        }
        return result with { Cost = cost, KeyRemaining = attempt.KeyRemaining };
    }

    /// <summary>Where one request's attempts stand.</summary>
    /// <param name="budgetId">What the key's budget actor knows the request by.</param>
    private sealed class RequestAttempts(ProxyExchange exchange, RetryBudget budget, string budgetId)
    {
        public ProxyExchange Exchange => exchange;
        public RetryBudget Budget => budget;
        public string BudgetId => budgetId;
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
        // Most requests make one attempt: a set is made for a second deployment.
        private Deployment? _firstTried;
        private HashSet<Deployment>? _alsoTried;

        public bool HasTried(Deployment deployment) => Equals(deployment, _firstTried) || _alsoTried?.Contains(deployment) == true;

        public void AddTried(Deployment deployment)
        {
            if (_firstTried is null) _firstTried = deployment;
            else if (!Equals(deployment, _firstTried)) (_alsoTried ??= []).Add(deployment);
        }

        public AttemptsResult Result() => new(Last!, Count, ServedBy)
        {
            Producer = LastMatch is { } match && LastDeployment is { } deployment ? (match, deployment) : null,
        };
    }

    private async Task<AttemptsResult> RunAttemptsAsync(RequestAttempts attempt)
    {
        var route = attempt.Exchange.Route;
        var models = new ModelQueue(attempt.Exchange.Routing.Routes, route);
        var fallbacksQueued = false;

        while (models.TryTake(out var match))
        {
            var policy = match.Group.Policy;
            var order = selector.Order(match);

            if (policy.ContextWindowFallbacks!.Count > 0 && ExceedsEveryContextWindow(attempt.Exchange, match, order))
            {
                models.Prepend(policy.ContextWindowFallbacks);
                continue;
            }

            switch (await TryModelAsync(attempt, match, order))
            {
                case AttemptVerdict.Final or AttemptVerdict.CallerError:
                    return attempt.Result();
                case AttemptVerdict.ContextWindowExceeded:
                    models.Prepend(policy.ContextWindowFallbacks!);
                    break;
                case AttemptVerdict.ContentPolicy:
                    models.Prepend(policy.ContentPolicyFallbacks!);
                    break;
            }

            if (!fallbacksQueued)
            {
                // Only the requested model's fallbacks: a fallback's own fallbacks could loop.
                fallbacksQueued = true;
                foreach (var name in route.Group.Policy.Fallbacks!) models.Append(name);
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
        var context = attempt.Exchange.Context;
        // Allocated when first needed: most requests end with their first attempt.
        HashSet<Deployment>? skip = null;
        Dictionary<Deployment, TimeSpan>? pauses = null;
        var triesLeft = 1 + match.Group.Policy.Retries!.Value;
        Deployment? previous = null;

        while (triesLeft > 0 && PickNext(order, skip, previous) is { } deployment)
        {
            // Every attempt after the first is a retry, and the model's retry budget must allow it.
            if (attempt.Count > 0 && !attempt.Budget.TryRetry()) return AttemptVerdict.Final;
            if (attempt.HasTried(deployment))
            {
                // A second try of a deployment waits: its Retry-After when it gave a short one, else a backoff.
                var wait = pauses?.TryGetValue(deployment, out var pause) == true
                    ? pause + PauseMargin
                    : Backoff.Delay(attempt.Count, attempt.Exchange.Routing.Retry.BaseDelay, attempt.Exchange.Routing.Retry.MaxDelay, Random.Shared);
                await Task.Delay(wait, clock, context.RequestAborted);
            }
            var circuit = match.CircuitOf(deployment);
            PermitDecision permit;
            if (attempt.Admitted) permit = await admission.PermitAsync(circuit, attempt.Exchange.RequestId);
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
            attempt.Exchange.Trace.Verdict(verdict); // request log
            if (verdict != AttemptVerdict.Retryable) return verdict;
            // A pause the provider asked for is waited out when it is short; a long one sends the request elsewhere.
            if (outcome.Error?.RetryAfter is { } asked)
            {
                if (asked > attempt.Exchange.Routing.Retry.MaxRetryAfter) (skip ??= []).Add(deployment);
                else (pauses ??= [])[deployment] = asked;
            }
        }
        return AttemptVerdict.Retryable;
    }

    /// <summary>
    /// The first attempt admits the key, reserving the most the request may cost; the master key has no
    /// budget or limits, so its requests skip the estimate. The prompt is first bounded by its bytes, which needs no
    /// tokenizer; only a request that bound does not fit whole is counted in tokens and asked again (its key is near a
    /// limit or its budget). A budget that covers less lowers the request's completion limit: every attempt then sends the
    /// lowered request, and the answer says so.
    /// </summary>
    private async Task<PermitDecision> AdmitAsync(RequestAttempts attempt, RouteMatch match, Deployment deployment, string circuit)
    {
        var exchange = attempt.Exchange;
        var (key, model, ct) = (exchange.Key, exchange.Route.RequestedModel, exchange.Aborted);
        if (key.IsMaster) return await admission.AdmitAsync(key, attempt.BudgetId, model, circuit, ct);
        var permit = await AdmitWithEstimateAsync(attempt, match, circuit, rough: true);
        if (permit.EstimateTooRough) permit = await AdmitWithEstimateAsync(attempt, match, circuit, rough: false);
        if (permit.CappedMaxTokens is { } limit)
        {
            var provider = exchange.Routing.Providers.Get(deployment.ProviderName).Settings;
            exchange.Request = CompletionCap.Lower(exchange.Request, limit, provider, exchange.Operation);
            exchange.Context.Response.Headers[CompletionCap.Header] = CompletionCap.Format(limit);
        }
        return permit;
    }

    private Task<PermitDecision> AdmitWithEstimateAsync(RequestAttempts attempt, RouteMatch match, string circuit, bool rough)
    {
        var (exchange, settings) = (attempt.Exchange, attempt.Exchange.Routing.Settings);
        var estimate = exchange.Routing.Costs.Estimate(exchange.Request, exchange.Key.KeyId, exchange.Operation, match, rough);
        return admission.AdmitAsync(exchange.Key, attempt.BudgetId, exchange.Route.RequestedModel, circuit, exchange.Aborted, estimate.Cost, estimate.Tokens,
            estimate.LowerableTo(settings.BudgetMinCompletionTokens), unpriced: !estimate.Priced && settings.Unpriced == UnpricedModels.Refuse, rough: rough);
    }

    // The breaker starts the provider's pause when its report arrives, a moment after the wait begins here.
    private static readonly TimeSpan PauseMargin = TimeSpan.FromMilliseconds(50);

    private async Task<CallOutcome> AttemptAsync(RequestAttempts attempt, RouteMatch match, Deployment deployment)
    {
        var headers = attempt.Exchange.Context.Response.Headers;
        var circuit = match.CircuitOf(deployment);
        attempt.Count++;
        attempt.AddTried(deployment);
        attempt.ServedBy = match.Group.ModelName;
        // Set before the attempt: a successful one starts the response, after which headers are fixed.
        headers["x-router-attempts"] = attempt.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (match.Group != attempt.Exchange.Route.Group) headers["x-router-fallback"] = match.RequestedModel;
        else headers.Remove("x-router-fallback");
        // A stream's headers leave before its cost is known: it is told what the key had left before it.
        if (attempt.KeyRemaining is { } remaining) headers[ChargeHeaders.KeyRemaining] = ChargeHeaders.Format(remaining);
        CallOutcome outcome;
        attempt.Exchange.Trace.AttemptStarting(); // request log
        try
        {
            using (board.Enter(circuit))
                outcome = await forwarder.ForwardAsync(attempt.Exchange, attempt.Exchange.Routing.Providers.Get(deployment.ProviderName), match, deployment,
                    new AnswerCharge(this, attempt, match, deployment));
        }
        catch
        {
            // The permit must be given back, or a half-open circuit would wait for a probe that never reports.
            admission.Report(circuit, CallOutcome.ClientGone());
            throw;
        }
        admission.Report(circuit, outcome);
        attempt.Exchange.Trace.AttemptEnded(deployment, outcome); // request log
        attempt.Last = outcome;
        attempt.LastMatch = match;
        attempt.LastDeployment = deployment;
        return outcome;
    }

    /// <summary>Charges one attempt's answer to the request's key, at its deployment's price.</summary>
    private sealed class AnswerCharge(AttemptLoop loop, RequestAttempts attempt, RouteMatch match, Deployment deployment) : IAnswerSink
    {
        /// <summary>A JSON answer's cost is known before its headers leave: they say it.</summary>
        public ValueTask OnAnswer(TokenUsage usage)
        {
            var cost = CostOf(usage);
            ChargeHeaders.Write(attempt.Exchange.Context.Response.Headers, cost, attempt.KeyRemaining);
            return loop.SettleAnswerAsync(attempt, usage, cost);
        }

        /// <summary>A stream's cost is known at its end, before its closing frames.</summary>
        public ValueTask OnStreamEnding(TokenUsage usage) => loop.SettleAnswerAsync(attempt, usage, CostOf(usage));

        private decimal CostOf(TokenUsage usage) => attempt.Exchange.Routing.Costs.Cost(match, deployment, usage);
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
        admission.SettleKey(attempt.Exchange.Key, attempt.BudgetId, attempt.Exchange.Route.RequestedModel, usage, cost);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Settles the answer's cost and waits until the key's journal has it (or the settlement timeout
    /// passed, or the client left: the outbox then keeps trying).
    /// </summary>
    private async ValueTask SettleConfirmedAsync(RequestAttempts attempt, TokenUsage usage, decimal cost)
    {
        attempt.SettledCost = cost;
        var settle = new KeyBudget.Settle(attempt.Exchange.Key.KeyId, attempt.BudgetId, attempt.Exchange.Route.RequestedModel, usage, cost, Confirm: true);
        await settlements.SettleAsync(attempt.Exchange.Key, settle, attempt.Exchange.Context.RequestAborted);
    }

    /// <summary>
    /// The next deployment to try: first the first in order; after a failure, the next one in order
    /// (wrapping round to retry the ones already tried).
    /// </summary>
    private static Deployment? PickNext(IReadOnlyList<Deployment> order, HashSet<Deployment>? skip, Deployment? previous)
    {
        var usable = skip is null ? order : Without(order, skip);
        if (usable.Count == 0) return null;
        if (previous is null) return usable[0];
        var after = -1;
        for (var i = 0; i < usable.Count; i++)
            if (usable[i] == previous) after = i;
        return usable[(after + 1) % usable.Count];
    }

    // Apart from PickNext: a closure over skip would be made on every call, skip or none.
    private static List<Deployment> Without(IReadOnlyList<Deployment> order, HashSet<Deployment> skip) => order.Where(d => !skip.Contains(d)).ToList();

    /// <summary>Whether the prompt is too long for every deployment of the model: then only its context-window fallbacks may take it.</summary>
    private static bool ExceedsEveryContextWindow(ProxyExchange exchange, RouteMatch match, IReadOnlyList<Deployment> order)
    {
        for (var i = 0; i < order.Count; i++)
            if (!exchange.Routing.ContextWindows.Exceeds(exchange.Request, exchange.Key.KeyId, order[i], match.UpstreamModelFor(order[i]))) return false;
        return true;
    }

    private static RouterError AllCircuitsOpen(RouteMatch route, TimeSpan retryAfter) => RouterError.Unavailable(
        $"Every deployment of '{route.RequestedModel}' (and of its fallbacks) is failing and its circuit is open; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s.",
        "circuit_open", retryAfter, route.Deployment.Id);
}
