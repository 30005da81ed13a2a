using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence;
using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Actors.Sharding;
using Router.Contracts.Messages;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// The single writer for one virtual key: its policy, what it has spent, what its requests in flight
/// have reserved, and its request and token rates. Admission is one hop: a request the key may make
/// reserves its estimated cost and is forwarded to the deployment's breaker on the asker's own node,
/// which answers the asker directly. Because one actor decides every admission of its key in turn,
/// a budget is never overcommitted by concurrent requests: each sees the reservations before it.
/// <para>
/// Settled usage counts at once and reaches the journal in one event per <see cref="UsageFlushInterval"/>
/// (group commit): one SQLite commit per request would cost more than the rest of the request path.
/// Reading the state (<see cref="KeyBudget.GetState"/>) and a graceful stop (<see cref="KeyBudget.Flush"/>)
/// write first, so what was shown is never lost; a crash loses at most one interval's unread usage.
/// </para>
/// <para>
/// A settlement that must survive a crash asks to be confirmed (<see cref="KeyBudget.Settle.Confirm"/>): it is
/// answered once its usage is in the journal. It starts a write at once unless one is under way, in which
/// case it rides on the next one, written as soon as that one is done. Its sender retries until answered,
/// so each request is counted once: the ids of the last <see cref="RememberedRequests"/> counted requests
/// are kept, and written with their usage and in snapshots, so they survive recovery too.
/// </para>
/// </summary>
public sealed class KeyBudgetActor : ReceivePersistentActor, IWithTimers
{
    public static readonly TimeSpan UsageFlushInterval = TimeSpan.FromMilliseconds(100);
    private const int EventsPerSnapshot = 1000;

    /// <summary>
    /// How many counted requests are remembered, so a settlement sent again counts once. Senders retry
    /// for seconds; this covers many minutes of one key's traffic, and bounds the snapshot (about 40 bytes an id).
    /// </summary>
    public const int RememberedRequests = 10_000;

    private readonly string _keyId;
    private readonly TimeProvider _clock;
    private readonly Dictionary<Address, ActorSelection> _breakersByNode = new();
    private readonly Dictionary<string, (decimal Cost, int Tokens)> _reservations = new(StringComparer.Ordinal);
    private readonly RateWindow _rates = new();
    private readonly BudgetPeriod _period = new();
    // Admitted and not yet settled: a settlement sent twice ends its request once.
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly CountedRequests _counted = new(RememberedRequests);
    private KeyPolicy? _policy;
    private bool _deleted;
    private decimal _reserved;
    private static readonly KeyBudget.UsageRecorded NoUsage = new(0, 0, 0);

    // Everything settled (what the key has spent), what of it the journal has confirmed (what a
    // snapshot may hold), and what no write has taken yet.
    private KeyBudget.UsageRecorded _settled = NoUsage;
    private KeyBudget.UsageRecorded _journaled = NoUsage;
    private KeyBudget.UsageRecorded _unwritten = NoUsage;
    private DateTimeOffset _lastUnwrittenAt;
    private List<string> _unwrittenIds = [];
    // Senders waiting for the unwritten usage to be written, and the writes under way.
    private List<(IActorRef Sender, KeyBudget.Settled Reply)> _unconfirmed = [];
    private int _writesUnderWay;

    public KeyBudgetActor(string keyId, TimeProvider clock)
    {
        _keyId = keyId;
        _clock = clock;

        Recover<KeyBudget.PolicySet>(set => _policy = new KeyPolicy("", "", set.AllowedModels));
        Recover<KeyBudget.KeyPolicySet>(set =>
        {
            // As when it was provisioned: a key provisioned again after its deletion is a key again.
            ApplyPolicy(set.Policy);
            _deleted = false;
        });
        Recover<KeyBudget.KeyDeleted>(_ => _deleted = true);
        Recover<KeyBudget.UsageRecorded>(recorded =>
        {
            _journaled = Add(_journaled, recorded);
            _settled = _journaled;
            _period.Count(_policy, recorded.Cost, recorded.At ?? _clock.GetUtcNow());
            _counted.Journaled(recorded.RequestIds);
        });
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is KeyBudget.Totals totals) Apply(totals);
        });

        Command<KeyBudget.Admit>(Admit);
        Command<KeyBudget.Settle>(Settle);
        Command<FlushTick>(_ => WriteUnwritten());
        Command<KeyBudget.Flush>(_ => AfterWriting(sender => sender.Tell(new KeyBudget.Flushed(_keyId))));
        // A shard handing the key to the other node: what is settled reaches the journal before the actor stops.
        Command<HandOff>(_ => AfterWriting(_ => Context.Stop(Self)));
        Command<KeyBudget.GetState>(_ => AfterWriting(sender => sender.Tell(CurrentState())));
        Command<KeyBudget.Provision>(provision =>
        {
            var sender = Sender;
            Persist(new KeyBudget.KeyPolicySet(provision.Policy), set =>
            {
                ApplyPolicy(set.Policy);
                _deleted = false;
                sender.Tell(new KeyBudget.Provisioned(_keyId));
            });
        });
        Command<KeyBudget.Delete>(_ =>
        {
            var sender = Sender;
            Persist(new KeyBudget.KeyDeleted(_clock.GetUtcNow()), _ =>
            {
                _deleted = true;
                sender.Tell(new KeyBudget.Deleted(_keyId));
            });
        });
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(failure =>
            Context.GetLogger().Warning(failure.Cause, "Snapshot of key budget {0} failed; the journal still holds every event", _keyId));
    }

    public override string PersistenceId => $"key-budget-{_keyId}";

    public ITimerScheduler Timers { get; set; } = null!;

    private void Admit(KeyBudget.Admit admit)
    {
        // Asked again (in a pair the asker repeats an ask whose answer is late): admitted once, answered again.
        if (!_inFlight.Contains(admit.RequestId))
        {
            var now = _clock.GetUtcNow();
            if (Refusal(admit, now) is { } refused)
            {
                Sender.Tell(refused);
                return;
            }
            _inFlight.Add(admit.RequestId);
            _rates.AddRequest(now);
            if (admit.EstimatedCost > 0 || admit.EstimatedTokens > 0)
            {
                _reservations[admit.RequestId] = (admit.EstimatedCost, admit.EstimatedTokens);
                _reserved += admit.EstimatedCost;
            }
        }
        // Besides this request's own reservation: what the caller is told is left once its cost is known.
        var own = _reservations.TryGetValue(admit.RequestId, out var reservation) ? reservation.Cost : 0;
        var remaining = _policy!.MaxBudget - _period.Spend - (_reserved - own);
        // No deployment: the answer comes from the cache, or the asker saw the circuit closed: no breaker to ask.
        if (admit.DeploymentId.Length == 0) Sender.Tell(new ProviderBreaker.Permit("", remaining));
        else BreakersOnNodeOf(Sender).Tell(new ProviderBreaker.RequestPermit(admit.DeploymentId, admit.RequestId, remaining), Sender);
    }

    private KeyBudget.Refused? Refusal(KeyBudget.Admit admit, DateTimeOffset now)
    {
        var policy = _policy;
        if (policy is null || _deleted || !KeyPolicy.SameHash(policy.SecretHash, admit.SecretHash))
            return Refuse(RefusalReason.UnknownKey, "This key is not known to the router.");
        if (policy.Blocked) return Refuse(RefusalReason.Blocked, "This key is blocked.");
        if (policy.Expires is { } expires && expires <= now)
            return Refuse(RefusalReason.Expired, $"This key expired at {expires:u}.");
        if (policy.AllowedModels.Count > 0 && !policy.AllowedModels.Any(pattern => ModelPattern.Matches(pattern, admit.Model)))
            return Refuse(RefusalReason.ModelNotAllowed, $"This key may not use the model '{admit.Model}'.");

        _rates.Slide(now);
        if (policy.RpmLimit is { } rpm && _rates.Requests >= rpm)
            return Refuse(RefusalReason.RateLimited,
                $"This key is limited to {rpm} requests per minute and has made {_rates.Requests} in the last minute.",
                _rates.RequestsFreeIn(now));
        if (policy.TpmLimit is { } tpm && _rates.Tokens + ReservedTokens() + admit.EstimatedTokens > tpm)
            return Refuse(RefusalReason.RateLimited,
                $"This key is limited to {tpm} tokens per minute: {_rates.Tokens} used and {ReservedTokens()} reserved in the last minute, and this request may take {admit.EstimatedTokens}.",
                _rates.TokensFreeIn(now));

        _period.Roll(policy, now);
        if (policy.MaxBudget is { } budget && _period.Spend + _reserved + admit.EstimatedCost > budget)
            return Refuse(RefusalReason.BudgetExceeded,
                $"Budget exceeded: this key has spent ${_period.Spend:0.######} of its ${budget:0.######} budget"
                + (_reserved > 0 ? $", ${_reserved:0.######} is reserved by requests in flight" : "")
                + $", and this request may cost ${admit.EstimatedCost:0.######}"
                + (_period.End(policy) is { } end ? $"; the budget starts again at {end:u}." : "."));
        return null;

        KeyBudget.Refused Refuse(RefusalReason reason, string message, TimeSpan? retryAfter = null) =>
            new(_keyId, reason, message, retryAfter);
    }

    private void Settle(KeyBudget.Settle settle)
    {
        // Keyed by the request: a settlement sent again frees nothing another request holds.
        _inFlight.Remove(settle.RequestId);
        if (_reservations.Remove(settle.RequestId, out var reservation)) _reserved -= reservation.Cost;
        // A request that used no tokens (refused, failed, abandoned) only frees its slot: nothing to record.
        if (settle.Usage.TotalTokens == 0 && settle.Cost == 0)
        {
            if (settle.Confirm) Sender.Tell(new KeyBudget.Settled(_keyId, settle.RequestId));
            return;
        }
        if (_counted.Contains(settle.RequestId))
        {
            // Counted before: confirmed again once its write (or whichever is under way) is in the journal.
            if (settle.Confirm) AfterWriting(sender => sender.Tell(new KeyBudget.Settled(_keyId, settle.RequestId)));
            return;
        }
        var now = _clock.GetUtcNow();
        // A write carries one time, which places its cost in a budget period on recovery: usage of an
        // earlier period goes out before this one counts in the next.
        _period.Roll(_policy, now);
        if (_unwritten.Requests > 0 && _period.Start is { } start && _lastUnwrittenAt < start) WriteUnwritten();
        _rates.AddTokens(now, settle.Usage.TotalTokens);
        var usage = new KeyBudget.UsageRecorded(1, settle.Usage.PromptTokens, settle.Usage.CompletionTokens, settle.Cost);
        _settled = Add(_settled, usage);
        _unwritten = Add(_unwritten, usage);
        _lastUnwrittenAt = now;
        _counted.Add(settle.RequestId);
        _unwrittenIds.Add(settle.RequestId);
        _period.Count(_policy, settle.Cost, now);
        if (settle.Confirm)
        {
            _unconfirmed.Add((Sender, new KeyBudget.Settled(_keyId, settle.RequestId)));
            // Group commit still: while a write is under way, this one waits to go with the next.
            if (_writesUnderWay == 0) WriteUnwritten();
        }
        if (_unwritten.Requests > 0 && !Timers.IsTimerActive(nameof(FlushTick)))
            Timers.StartSingleTimer(nameof(FlushTick), FlushTick.Instance, UsageFlushInterval);
    }

    /// <summary>Writes what is unwritten, then answers once every earlier write is in the journal.</summary>
    private void AfterWriting(Action<IActorRef> answer)
    {
        var sender = Sender;
        WriteUnwritten();
        // Runs after every earlier PersistAsync handler.
        DeferAsync(_keyId, _ => answer(sender));
    }

    private void WriteUnwritten()
    {
        if (_unwritten.Requests == 0) return;
        // Stamped with when the usage was settled, not written: a write may come after the period ended.
        var usage = _unwritten with { At = _lastUnwrittenAt, RequestIds = _unwrittenIds };
        // Only the confirmations waiting now: those that come while this write is under way wait for the next.
        List<(IActorRef Sender, KeyBudget.Settled Reply)>? confirmations = null;
        if (_unconfirmed.Count > 0) (confirmations, _unconfirmed) = (_unconfirmed, []);
        _unwritten = NoUsage;
        _unwrittenIds = [];
        _writesUnderWay++;
        // PersistAsync: admissions must not queue behind a journal write.
        PersistAsync(usage, written =>
        {
            _writesUnderWay--;
            _journaled = Add(_journaled, written);
            _counted.Journaled(written.RequestIds);
            if (LastSequenceNr % EventsPerSnapshot == 0) SaveSnapshot(JournaledTotals());
            if (confirmations is not null)
                foreach (var (sender, reply) in confirmations) sender.Tell(reply);
            // Confirmations that came while this write was under way go now, together.
            if (_writesUnderWay == 0 && _unconfirmed.Count > 0) WriteUnwritten();
        });
    }

    private static KeyBudget.UsageRecorded Add(KeyBudget.UsageRecorded a, KeyBudget.UsageRecorded b) =>
        new(a.Requests + b.Requests, a.PromptTokens + b.PromptTokens, a.CompletionTokens + b.CompletionTokens, a.Cost + b.Cost);

    private void ApplyPolicy(KeyPolicy policy)
    {
        var durationChanged = _policy?.BudgetDuration != policy.BudgetDuration;
        _policy = policy;
        if (durationChanged) _period.Restart();
    }

    private long ReservedTokens() => _reservations.Values.Sum(r => (long)r.Tokens);

    private KeyBudget.State CurrentState()
    {
        var now = _clock.GetUtcNow();
        _rates.Slide(now);
        _period.Roll(_policy, now);
        return new KeyBudget.State(_keyId, _policy, _deleted, _settled.Requests, _settled.PromptTokens, _settled.CompletionTokens,
            _settled.Cost, _period.Spend, _period.End(_policy), _reserved, _inFlight.Count, _rates.Requests, _rates.Tokens);
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

    private void Apply(KeyBudget.Totals totals)
    {
        _policy = totals.Policy ?? (totals.AllowedModels is { } models ? new KeyPolicy("", "", models) : null);
        _deleted = totals.Deleted;
        _journaled = new KeyBudget.UsageRecorded(totals.Requests, totals.PromptTokens, totals.CompletionTokens, totals.Spend);
        _settled = _journaled;
        _period.Restore(totals.PeriodStart, totals.PeriodSpend);
        _counted.Clear();
        _counted.Journaled(totals.RequestIds);
    }

    /// <summary>
    /// What the journal holds so far. The period's spend already counts settled cost that is not yet
    /// confirmed; those events will be replayed after the snapshot, so they are left out of it.
    /// </summary>
    private KeyBudget.Totals JournaledTotals() =>
        new(_policy?.AllowedModels, _journaled.Requests, _journaled.PromptTokens, _journaled.CompletionTokens,
            _policy, _journaled.Cost, Math.Max(0, _period.Spend - (_settled.Cost - _journaled.Cost)), _period.Start, _deleted,
            _counted.JournaledIds());

    public static Props Props(string keyId) => Props(keyId, TimeProvider.System);

    public static Props Props(string keyId, TimeProvider clock) => Akka.Actor.Props.Create(() => new KeyBudgetActor(keyId, clock));

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    /// <summary>Sharding's stop message when the key moves to another node (a graceful leave, a rebalance).</summary>
    public sealed class HandOff
    {
        public static readonly HandOff Instance = new();
    }
}

public static class KeyBudgetHostingExtensions
{
    public const string RegionName = "key-budgets";

    /// <summary>
    /// Registers the key budget region under <see cref="KeyBudgetActor"/> in the actor registry: a
    /// local region on a single node; the pair uses <see cref="WithShardedKeyBudgets"/>, with the same extractor.
    /// </summary>
    public static AkkaConfigurationBuilder WithLocalKeyBudgets(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
        {
            var region = system.ActorOf(
                LocalEntityRegionActor.Props(new KeyBudgetMessageExtractor(), id => KeyBudgetActor.Props(id)),
                RegionName);
            registry.Register<KeyBudgetActor>(region);
        });

    /// <summary>
    /// The pair: each key's actor lives on exactly one node of the cluster (one writer cluster-wide) and
    /// the other node reaches it through its shard region. A key moving node writes its usage first.
    /// </summary>
    public static AkkaConfigurationBuilder WithShardedKeyBudgets(this AkkaConfigurationBuilder builder, string role) =>
        builder.WithShardRegion<KeyBudgetActor>(RegionName, id => KeyBudgetActor.Props(id), new KeyBudgetMessageExtractor(),
            new ShardOptions
            {
                Role = role,
                StateStoreMode = StateStoreMode.DData,
                RememberEntities = false,
                HandOffStopMessage = KeyBudgetActor.HandOff.Instance,
            });
}
