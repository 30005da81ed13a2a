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
/// <para>
/// Settled usage counts at once and reaches the journal in one event per <see cref="UsageFlushInterval"/>
/// (group commit): one SQLite commit per request would cost more than the rest of the request path.
/// A crash loses at most that interval's usage; a graceful stop flushes (<see cref="KeyBudget.Flush"/>).
/// </para>
/// </summary>
public sealed class KeyBudgetActor : ReceivePersistentActor, IWithTimers
{
    public static readonly TimeSpan UsageFlushInterval = TimeSpan.FromMilliseconds(100);
    private const int EventsPerSnapshot = 1000;

    private readonly string _keyId;
    private readonly Dictionary<Address, ActorSelection> _breakersByNode = new();
    private IReadOnlyList<string>? _allowedModels;
    private int _inFlight;
    private static readonly KeyBudget.UsageRecorded NoUsage = new(0, 0, 0);

    // Everything settled (what the key has spent), what of it the journal has confirmed (what a
    // snapshot may hold), and what no write has taken yet.
    private KeyBudget.UsageRecorded _settled = NoUsage;
    private KeyBudget.UsageRecorded _journaled = NoUsage;
    private KeyBudget.UsageRecorded _unwritten = NoUsage;

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
        Command<KeyBudget.Settle>(Settle);
        Command<FlushTick>(_ => WriteUnwritten());
        Command<KeyBudget.Flush>(_ =>
        {
            var sender = Sender;
            WriteUnwritten();
            // Runs after every earlier PersistAsync handler: the usage is in the journal by then.
            DeferAsync(_keyId, _ => sender.Tell(new KeyBudget.Flushed(_keyId)));
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
            _keyId, _allowedModels ?? [], _settled.Requests, _settled.PromptTokens, _settled.CompletionTokens, _inFlight)));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(failure =>
            Context.GetLogger().Warning(failure.Cause, "Snapshot of key budget {0} failed; the journal still holds every event", _keyId));
    }

    public override string PersistenceId => $"key-budget-{_keyId}";

    public ITimerScheduler Timers { get; set; } = null!;

    private void Settle(KeyBudget.Settle settle)
    {
        _inFlight = Math.Max(0, _inFlight - 1);
        // A request that used no tokens (refused, failed, abandoned) only frees its slot: nothing to record.
        if (settle.Usage.TotalTokens == 0) return;
        var usage = new KeyBudget.UsageRecorded(1, settle.Usage.PromptTokens, settle.Usage.CompletionTokens);
        _settled = Add(_settled, usage);
        _unwritten = Add(_unwritten, usage);
        if (!Timers.IsTimerActive(nameof(FlushTick))) Timers.StartSingleTimer(nameof(FlushTick), FlushTick.Instance, UsageFlushInterval);
    }

    private void WriteUnwritten()
    {
        if (_unwritten.Requests == 0) return;
        var usage = _unwritten;
        _unwritten = NoUsage;
        // PersistAsync: admissions must not queue behind a journal write.
        PersistAsync(usage, written =>
        {
            _journaled = Add(_journaled, written);
            if (LastSequenceNr % EventsPerSnapshot == 0) SaveSnapshot(JournaledTotals());
        });
    }

    private static KeyBudget.UsageRecorded Add(KeyBudget.UsageRecorded a, KeyBudget.UsageRecorded b) =>
        new(a.Requests + b.Requests, a.PromptTokens + b.PromptTokens, a.CompletionTokens + b.CompletionTokens);

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
        _journaled = Add(_journaled, recorded);
        _settled = _journaled;
    }

    private void Apply(KeyBudget.Totals totals)
    {
        _allowedModels = totals.AllowedModels;
        _journaled = new KeyBudget.UsageRecorded(totals.Requests, totals.PromptTokens, totals.CompletionTokens);
        _settled = _journaled;
    }

    private KeyBudget.Totals JournaledTotals() =>
        new(_allowedModels, _journaled.Requests, _journaled.PromptTokens, _journaled.CompletionTokens);

    public static Props Props(string keyId) => Akka.Actor.Props.Create(() => new KeyBudgetActor(keyId));

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }
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
