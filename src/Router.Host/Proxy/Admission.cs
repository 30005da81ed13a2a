using Akka.Actor;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
using Router.Host.Auth;
using Router.Host.Http;

namespace Router.Host.Proxy;

/// <summary>
/// The request path's only conversation with the actors: one Ask to the key's budget actor, which
/// forwards to the deployment's breaker, which answers; and two Tells when the call is over.
/// </summary>
public sealed class Admission(IActorRef keyBudgets, IActorRef breakers, TimeSpan timeout)
{
    public async Task AdmitAsync(AuthenticatedKey key, string requestId, string model, string deploymentId)
    {
        object reply;
        try
        {
            reply = await keyBudgets.Ask<object>(new KeyBudget.Admit(key.KeyId, requestId, model, deploymentId), timeout);
        }
        catch (AskTimeoutException)
        {
            // The permit may have been granted after all: give back what it may hold.
            Settle(key, requestId, model, deploymentId, CallOutcome.ClientGone());
            throw RouterError.Unavailable(
                $"The router could not admit the request within {timeout.TotalSeconds:0.#} s (router.admission-timeout).",
                "admission_timeout");
        }

        switch (reply)
        {
            case ProviderBreaker.Permit:
                return;
            case KeyBudget.Refused { Reason: RefusalReason.UnknownKey }:
                throw RouterError.InvalidKey();
            case KeyBudget.Refused refused:
                throw RouterError.ModelNotAllowed(refused.Message);
            case ProviderBreaker.Refused open:
                Release(key, requestId, model);
                throw RouterError.Unavailable(
                    $"Deployment '{deploymentId}' is failing and its circuit is open; it will be tried again in {Math.Ceiling(open.RetryAfter.TotalSeconds)} s.",
                    "circuit_open", open.RetryAfter, deploymentId);
            default:
                throw new InvalidOperationException($"Unexpected admission reply {reply.GetType().Name}");
        }
    }

    public void Settle(AuthenticatedKey key, string requestId, string model, string deploymentId, CallOutcome outcome)
    {
        breakers.Tell(new ProviderBreaker.ReportOutcome(deploymentId, outcome.Result, outcome.Latency));
        keyBudgets.Tell(new KeyBudget.Settle(key.KeyId, requestId, model, outcome.Usage));
    }

    private void Release(AuthenticatedKey key, string requestId, string model) =>
        keyBudgets.Tell(new KeyBudget.Settle(key.KeyId, requestId, model, TokenUsage.None));
}
