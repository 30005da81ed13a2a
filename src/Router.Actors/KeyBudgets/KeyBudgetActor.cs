using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence;
using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Actors.Sharding;
using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// The single writer for one virtual key: which models it may use, what it has spent, and which of
/// its requests are in flight. Admission is one hop: a request the key may make is forwarded to the
/// deployment's breaker on the asker's own node, and the breaker answers the asker directly.
/// </summary>
public sealed class KeyBudgetActor : ReceivePersistentActor
{
    private const int EventsPerSnapshot = 1000;

    private readonly string _keyId;
    private readonly Dictionary<Address, ActorSelection> _breakersByNode = new();
    private IReadOnlyList<string>? _allowedModels;
    private long _requests;
    private long _promptTokens;
    private long _completionTokens;
    private int _inFlight;

    public KeyBudgetActor(string keyId)
    {
        _keyId = keyId;

        Recover<KeyBudget.PolicySet>(Apply);
        Recover<KeyBudget.UsageRecorded>(Apply);
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is KeyBudget.Totals totals) Apply(totals);
        });

        Command<KeyBudget.Admit>(Admit);
        Command<KeyBudget.Settle>(settle =>
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            // A request that used no tokens (refused, failed, abandoned) only frees its slot: nothing to record.
            if (settle.Usage.TotalTokens == 0) return;
            // PersistAsync: admissions must not queue behind the journal write of a settlement.
            PersistAsync(new KeyBudget.UsageRecorded(settle.Model, settle.Usage.PromptTokens, settle.Usage.CompletionTokens), recorded =>
            {
                Apply(recorded);
                if (LastSequenceNr % EventsPerSnapshot == 0) SaveSnapshot(CurrentTotals());
            });
        });
        Command<KeyBudget.Provision>(provision =>
        {
            var sender = Sender;
            Persist(new KeyBudget.PolicySet(provision.AllowedModels.ToArray()), set =>
            {
                Apply(set);
                sender.Tell(new KeyBudget.Provisioned(_keyId));
            });
        });
        Command<KeyBudget.GetState>(_ => Sender.Tell(new KeyBudget.State(
            _keyId, _allowedModels ?? [], _requests, _promptTokens, _completionTokens, _inFlight)));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(failure =>
            Context.GetLogger().Warning(failure.Cause, "Snapshot of key budget {0} failed; the journal still holds every event", _keyId));
    }

    public override string PersistenceId => $"key-budget-{_keyId}";

    private void Admit(KeyBudget.Admit admit)
    {
        if (_allowedModels is null)
        {
            Sender.Tell(new KeyBudget.Refused(_keyId, RefusalReason.UnknownKey, "This key is not known to the router."));
            return;
        }
        if (!_allowedModels.Any(pattern => ModelPattern.Matches(pattern, admit.Model)))
        {
            Sender.Tell(new KeyBudget.Refused(_keyId, RefusalReason.ModelNotAllowed,
                $"This key may not use the model '{admit.Model}'."));
            return;
        }
        _inFlight++;
        BreakersOnNodeOf(Sender).Tell(new ProviderBreaker.RequestPermit(admit.DeploymentId, admit.RequestId), Sender);
    }

    /// <summary>Breakers are per node: the asker's own node's breaker knows how its calls have fared.</summary>
    private ActorSelection BreakersOnNodeOf(IActorRef asker)
    {
        var address = asker.Path.Address;
        if (!_breakersByNode.TryGetValue(address, out var selection))
        {
            selection = Context.ActorSelection(new RootActorPath(address) / "user" / ProviderBreakersActor.Name);
            _breakersByNode[address] = selection;
        }
        return selection;
    }

    private void Apply(KeyBudget.PolicySet set) => _allowedModels = set.AllowedModels;

    private void Apply(KeyBudget.UsageRecorded recorded)
    {
        _requests++;
        _promptTokens += recorded.PromptTokens;
        _completionTokens += recorded.CompletionTokens;
    }

    private void Apply(KeyBudget.Totals totals)
    {
        _allowedModels = totals.AllowedModels;
        _requests = totals.Requests;
        _promptTokens = totals.PromptTokens;
        _completionTokens = totals.CompletionTokens;
    }

    private KeyBudget.Totals CurrentTotals() =>
        new(_allowedModels, _requests, _promptTokens, _completionTokens);

    public static Props Props(string keyId) => Akka.Actor.Props.Create(() => new KeyBudgetActor(keyId));
}

public static class KeyBudgetHostingExtensions
{
    /// <summary>
    /// Registers the key budget region under <see cref="KeyBudgetActor"/> in the actor registry: a
    /// local region on a single node; the pair swaps in cluster sharding with the same extractor.
    /// </summary>
    public static AkkaConfigurationBuilder WithLocalKeyBudgets(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
        {
            var region = system.ActorOf(
                LocalEntityRegionActor.Props(new KeyBudgetMessageExtractor(), KeyBudgetActor.Props),
                "key-budgets");
            registry.Register<KeyBudgetActor>(region);
        });
}
