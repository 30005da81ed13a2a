using Akka.Actor;
using Akka.Hosting;
using Router.Actors.Breakers;
using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Cluster;
using Router.Host.Http;

namespace Router.Host.Proxy;

/// <summary>
/// The request path's conversations with the actors. The first attempt asks the key's budget actor,
/// which forwards to the deployment's breaker, which answers: one round trip admits the key and
/// permits the call. Further attempts (retries, fallbacks) ask this node's breakers directly. Each
/// attempt's outcome goes to its breaker, and the request's usage to the key, by Tell. A circuit this
/// node's board shows closed for sure needs no breaker: the key's actor then answers alone, which
/// saves the round trip two actors further on almost every request. In a pair the key's actor is asked
/// again while it may be moving from a peer that died (<see cref="KeyActorAsks"/>).
/// </summary>
/// <param name="timeout">How long this node's breakers may take to answer (router.admission-timeout).</param>
/// <param name="nodeLeft">Cancelled once this node has left the pair (downed by the split-brain resolver, or stopped): its
/// keys' actors are gone from here, and a request waiting for one is answered at once rather than at the bound.</param>
public sealed class Admission(
    IRequiredActor<KeyBudgetActor> keyBudgetActors, IRequiredActor<ProviderBreakersActor> breakerActors, DeploymentBoard board, TimeSpan timeout,
    KeyActorAsks keyAsks, CancellationToken nodeLeft = default, ChargedKeys? charged = null)
{
    // Resolved on first use (the actor system starts after the services that hold this are made), then cached.
    private IActorRef KeyBudgets => keyBudgetActors.ActorRef;
    private IActorRef Breakers => breakerActors.ActorRef;

    /// <summary>
    /// Admits the key (throws when it is refused), reserving the request's estimated cost and tokens,
    /// and asks the first deployment's breaker. The wait ends when the client leaves (<paramref name="ct"/>).
    /// </summary>
    /// <param name="completion">The completion part of the estimate, which the key's budget may lower (see <see cref="KeyBudget.CompletionLimit"/>).</param>
    /// <param name="unpriced">The model has no price: a key with a budget is refused it.</param>
    /// <param name="endsAtOnce">The request is over once admitted, at no cost (an answer from the cache): it is not settled.</param>
    /// <param name="rough">The estimate's prompt is a rough bound (<see cref="KeyBudget.Admit.Rough"/>): the answer may be
    /// <see cref="PermitDecision.AskWithExactEstimate"/>.</param>
    public async Task<PermitDecision> AdmitAsync(
        AuthenticatedKey key, string requestId, string model, string deploymentId, CancellationToken ct, decimal estimatedCost = 0, int estimatedTokens = 0,
        KeyBudget.CompletionLimit? completion = null, bool unpriced = false, bool endsAtOnce = false, bool rough = false)
    {
        // An empty deployment tells the key's actor that no breaker needs asking.
        var askBreaker = deploymentId.Length > 0 && !board.ClosedForSure(deploymentId);
        object reply;
        using var waiting = UntilNodeLeft(ct);
        try
        {
            reply = await keyAsks.AskAsync<object>(KeyBudgets,
                new KeyBudget.Admit(key.KeyId, requestId, model, askBreaker ? deploymentId : "", key.SecretHash, estimatedCost, estimatedTokens,
                    completion, unpriced, endsAtOnce, rough),
                waiting?.Token ?? ct);
        }
        catch (Exception e) when (e is AskTimeoutException or OperationCanceledException)
        {
            // The permit may have been granted after all: give back what it may hold.
            Report(deploymentId, CallOutcome.ClientGone());
            SettleKey(key, requestId, model, TokenUsage.None);
            if (e is AskTimeoutException) throw TimedOut(keyAsks.Bound, keyAsks.BoundSetting);
            if (nodeLeft.IsCancellationRequested && !ct.IsCancellationRequested) throw NodeLeft();
            throw;
        }

        return reply switch
        {
            ProviderBreaker.Permit { KeyRemaining: null, CappedMaxTokens: null } => PermitDecision.Grant,
            ProviderBreaker.Permit permit => new PermitDecision(true, TimeSpan.Zero, permit.KeyRemaining, permit.CappedMaxTokens),
            ProviderBreaker.Refused open => new PermitDecision(false, open.RetryAfter, open.KeyRemaining, open.CappedMaxTokens),
            KeyBudget.Refused { Reason: RefusalReason.EstimateTooRough } => PermitDecision.AskWithExactEstimate,
            KeyBudget.Refused { Reason: RefusalReason.ModelNotPriced } => throw RouterError.ModelNotPriced(model),
            KeyBudget.Refused refused => throw RefusalError(refused),
            _ => throw new InvalidOperationException($"Unexpected admission reply {reply.GetType().Name}"),
        };
    }

    /// <summary>Asks a deployment's breaker on this node for a further attempt of an admitted request.</summary>
    public async Task<PermitDecision> PermitAsync(string deploymentId, string requestId)
    {
        try
        {
            return await Breakers.Ask<object>(new ProviderBreaker.RequestPermit(deploymentId, requestId), timeout) switch
            {
                ProviderBreaker.Refused open => new PermitDecision(false, open.RetryAfter),
                _ => PermitDecision.Grant,
            };
        }
        catch (AskTimeoutException)
        {
            Report(deploymentId, CallOutcome.ClientGone());
            throw TimedOut(timeout, "router.admission-timeout");
        }
    }

    /// <summary>Tells the deployment's breaker how the attempt ended, with the provider's Retry-After when it asked for a pause.</summary>
    public void Report(string deploymentId, CallOutcome outcome)
    {
        if (deploymentId.Length == 0) return; // an answer from the cache: no breaker took part
        var failed = outcome.Result == CallResult.ProviderFailed;
        if (failed) board.FailureSent(deploymentId);
        var pause = failed ? outcome.Error?.RetryAfter : null;
        Breakers.Tell(new ProviderBreaker.ReportOutcome(deploymentId, outcome.Result, outcome.Latency, pause));
    }

    public void SettleKey(AuthenticatedKey key, string requestId, string model, TokenUsage usage, decimal cost = 0) =>
        SettleKey(new KeyBudget.Settle(key.KeyId, requestId, model, usage, cost));

    public void SettleKey(KeyBudget.Settle settle)
    {
        KeyBudgets.Tell(settle);
        Charged(settle);
    }

    /// <summary>A key that was charged is one whose budget share may have risen: the alert sampler looks at it (after this Tell).</summary>
    private void Charged(KeyBudget.Settle settle)
    {
        if (settle.Cost > 0) charged?.Mark(settle.KeyId);
    }

    /// <summary>
    /// Sends a confirming settlement, as often as <paramref name="asks"/> say, until the key's actor says its
    /// usage is in the journal; false when no answer came (the settlement may be sent again: it counts once).
    /// </summary>
    public async Task<bool> TrySettleConfirmedAsync(KeyBudget.Settle settle, KeyActorAsks asks, CancellationToken ct)
    {
        using var waiting = UntilNodeLeft(ct);
        try
        {
            await asks.AskAsync<KeyBudget.Settled>(KeyBudgets, settle, waiting?.Token ?? ct);
            return true;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
        // This node left the pair: no confirmation can come here any more; the answer goes on without one.
        catch (OperationCanceledException) when (nodeLeft.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            // Confirmed or not, the key's actor counted the cost on receipt.
            Charged(settle);
        }
    }

    /// <summary><paramref name="ct"/> joined with the node leaving the pair; null on a single node (no allocation per request).</summary>
    private CancellationTokenSource? UntilNodeLeft(CancellationToken ct) =>
        nodeLeft.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(ct, nodeLeft) : null;

    /// <summary>Whether this node has left the pair: nothing it settles can be confirmed any more.</summary>
    public bool HasLeft => nodeLeft.IsCancellationRequested;

    public static RouterError NodeLeft() => RouterError.Unavailable(
        "This node has left the pair (it lost contact with its peer, or is stopping); send the request to the other node.", "node_left");

    private static RouterError TimedOut(TimeSpan within, string setting) => RouterError.Unavailable(
        $"The router could not admit the request within {within.TotalSeconds:0.#} s ({setting}).", "admission_timeout");

    private static RouterError RefusalError(KeyBudget.Refused refused) => refused.Reason switch
    {
        RefusalReason.UnknownKey => RouterError.InvalidKey(),
        RefusalReason.Blocked or RefusalReason.Expired => RouterError.KeyDisabled(refused.Message),
        RefusalReason.BudgetExceeded => RouterError.BudgetExceeded(refused.Message),
        RefusalReason.RateLimited => RouterError.KeyRateLimited(refused.Message, refused.RetryAfter),
        _ => RouterError.ModelNotAllowed(refused.Message),
    };
}
