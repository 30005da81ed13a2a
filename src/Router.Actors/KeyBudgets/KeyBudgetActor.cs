using Akka.Actor;
using Akka.Event;
using Router.Actors.Breakers;
using Router.Contracts.Messages;
using DData = Akka.DistributedData;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// The single writer for one virtual key: its policy, what it has spent, what its requests in flight
/// have reserved, and its request and token rates. Admission is one hop: a request the key may make
/// reserves its estimated cost and is forwarded to the deployment's breaker on the asker's own node,
/// which answers the asker directly. Because one actor decides every admission of its key in turn,
/// a budget is never overcommitted by concurrent requests: each sees the reservations before it. What it decides is
/// <see cref="KeyBudgetState"/>'s (pure, tested without an actor system); the actor persists, replicates and answers.
/// <para>
/// What it settles goes to two stores. The journal (<see cref="KeyJournalActor"/>, a child: the router's
/// database) takes it in one event per <see cref="UsageFlushInterval"/> (group commit: one commit per request
/// would cost more than the rest of the request path). In a pair, the replica (<see cref="KeyReplica"/>: both
/// nodes' distributed data, on each one's disk) takes it as well, so the peer can carry on with the key if
/// this node dies, and this node can if the database does. While the journal is down the actor goes on from
/// what it holds; a new journal is started every few seconds, and once one reads back what was written it is
/// given what was not, in one event, so the database gets every request's usage exactly once.
/// </para>
/// <para>
/// A settlement that must survive a crash asks to be confirmed (<see cref="KeyBudget.Settle.Confirm"/>): it is
/// answered once the journal has it (or, while the journal is down, the replica) and, in a pair, once the
/// replica has it on both nodes (or the peer did not answer in time). Its sender retries until answered, so each
/// request is counted once: the ids of the last counted requests are kept in both stores and read back.
/// </para>
/// </summary>
public sealed partial class KeyBudgetActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    public static readonly TimeSpan UsageFlushInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How many counted requests are remembered, so a settlement sent again counts once. Senders retry
    /// for seconds; this covers many minutes of one key's traffic, and bounds the snapshot (about 40 bytes an id).
    /// </summary>
    public const int RememberedRequests = 10_000;

    private readonly string _keyId;
    private readonly TimeProvider _clock;
    private readonly KeyReplica? _replica;
    private readonly Dictionary<Address, ActorSelection> _breakersByNode = new();
    private readonly CountedRequests _counted = new(RememberedRequests);
    private readonly PendingWrites _writes = new();
    private readonly OwnRun _ownRun = new();
    // The key's policy, what it has settled (what it has spent), its period, rates and reservations: what admission decides on.
    private KeyBudgetState _state = KeyBudgetState.Empty;

    // What no write has taken yet.
    private readonly UnwrittenUsage _unwritten = new();
    // Senders waiting for the unwritten usage to be written.
    private List<Action> _unconfirmed = [];

    // The journal: null while none runs; ready once it has read back what it holds.
    private IActorRef? _journal;
    private bool _journalReady;

    // While starting: what each store read back (null: not yet).
    private KeyBudget.Totals? _fromJournal;
    private ReplicatedKey? _fromReplica;

    public KeyBudgetActor(string keyId, TimeProvider clock, bool replicated)
    {
        _keyId = keyId;
        _clock = clock;
        if (replicated) _replica = KeyReplica.For(Context.System, keyId);
        Starting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    protected override void PreStart()
    {
        StartJournal();
        _replica?.Read(Self);
    }

    public static Props Props(string keyId, bool replicated = false) => Props(keyId, TimeProvider.System, replicated);

    public static Props Props(string keyId, TimeProvider clock, bool replicated = false) =>
        Akka.Actor.Props.Create(() => new KeyBudgetActor(keyId, clock, replicated));

    // ---- Starting: both stores read back, then the key serves.

    private void Starting()
    {
        Receive<KeyJournalActor.Recovered>(recovered =>
        {
            _fromJournal = recovered.Totals;
            _journalReady = true;
            ServeOnceRead();
        });
        Receive<DData.GetSuccess>(found =>
        {
            _fromReplica = _replica!.Parse(found);
            ServeOnceRead();
        });
        Receive<DData.NotFound>(notFound =>
        {
            _fromReplica = ReplicatedKey.Empty with { FromEveryNode = KeyReplica.ReadEveryNode(notFound.Request) };
            ServeOnceRead();
        });
        // The peer did not answer in time (it died, or the link did): this node's copy is what there is.
        Receive<DData.GetFailure>(_ => _replica!.ReadHere(Self));
        Receive<Terminated>(ended => ended.ActorRef.Equals(_journal), _ =>
        {
            JournalStopped();
            ServeOnceRead();
        });
        Receive<StartJournalAgain>(_ => StartJournal());
        ReceiveAny(_ => Stash.Stash());
    }

    /// <summary>
    /// Serves once the journal has read back (and, in a pair, the replica), or, when the journal cannot, once the
    /// replica has: a key the replica does not know waits for a journal (its askers ask again meanwhile).
    /// </summary>
    private void ServeOnceRead()
    {
        if (_replica is not null && _fromReplica is null) return;
        var replica = _fromReplica ?? ReplicatedKey.Empty;
        if (_fromJournal is { } journal) Restore(journal, replica);
        else if (_journal is null && replica.Policy is not null) Restore(null, replica);
        else return;
        Become(Serving);
        Stash.UnstashAll();
    }

    /// <summary>The key as the stores hold it (<see cref="RecoveredKey"/>), giving each store what it lacks.</summary>
    private void Restore(KeyBudget.Totals? journal, ReplicatedKey replica)
    {
        var key = RecoveredKey.From(journal, replica);
        _state = _state.Restored(key);
        _counted.Journaled(journal?.RequestIds);
        _counted.Journaled(replica.RecentIds);

        if (_replica is not null)
        {
            _ownRun.Restore(replica.Own);
            if (!KeyUsage.IsNone(key.ReplicaLacks) || key.ReplicaPeriodLacks > 0) AddToOwnRun(key.ReplicaLacks, key.ReplicaPeriodLacks);
            if (journal?.Policy is { } policy && replica.Policy?.Policy != policy) WritePolicyToReplica();
        }
        if (journal is not null) CatchUpJournal(key.Journaled);
    }

    // ---- Serving.

    private void Serving()
    {
        Receive<KeyBudget.Admit>(Admit);
        Receive<KeyBudget.Settle>(Settle);
        Receive<FlushTick>(_ => WriteUnwritten(toBoth: false));
        Receive<KeyBudget.Flush>(_ => AfterWriting(sender => sender.Tell(new KeyBudget.Flushed(_keyId))));
        // A shard handing the key to the other node: what is settled reaches both stores before the actor stops.
        Receive<HandOff>(_ => AfterWriting(_ => Context.Stop(Self), toBoth: true));
        Receive<KeyBudget.GetState>(_ => AfterWriting(sender => sender.Tell(CurrentState())));
        Receive<KeyBudget.Provision>(provision => WritePolicy(new KeyBudget.KeyPolicySet(provision.Policy)));
        Receive<KeyBudget.Delete>(_ => WritePolicy(new KeyBudget.KeyDeleted(_clock.GetUtcNow())));

        Receive<KeyJournalActor.UsageWritten>(written =>
        {
            _writes.JournalWrote(written.Generation);
            WriteWaitingConfirmations();
        });
        Receive<KeyJournalActor.PolicyWritten>(PolicyWritten);
        Receive<KeyJournalActor.Recovered>(recovered =>
        {
            Context.GetLogger().Info("The journal of key {0} answers again", _keyId);
            _journalReady = true;
            _journalRetry = JournalRetryFirst;
            var journaled = KeyUsage.Of(recovered.Totals);
            // More in the journal than here: written by the key's actor on the other side of a network cut.
            var lacking = KeyUsage.Beyond(journaled, _state.Settled);
            if (!KeyUsage.IsNone(lacking))
            {
                _state = _state.Apply(new JournalHeldMore(lacking));
                if (_replica is not null) AddToOwnRun(lacking, 0);
            }
            // What was given to the journal before is in what this one read back, or in what it is given now.
            if (!CatchUpJournal(journaled)) _writes.JournalReplaced();
        });
        Receive<Terminated>(ended => ended.ActorRef.Equals(_journal), _ => JournalStopped());
        Receive<StartJournalAgain>(_ => StartJournal());

        Receive<DData.UpdateSuccess>(done => ReplicaWrote(done.Request));
        Receive<DData.UpdateTimeout>(timeout => ReplicaWrote(timeout.Request));
        Receive<DData.ModifyFailure>(failure =>
        {
            Context.GetLogger().Error(failure.Cause, "Could not update the replica of key {0}", _keyId);
            ReplicaWrote(failure.Request);
        });
        Receive<DData.StoreFailure>(failure =>
        {
            Context.GetLogger().Error("The replica of key {0} could not be stored on this node's disk", _keyId);
            ReplicaWrote(failure.Request);
        });
    }

    private void Admit(KeyBudget.Admit admit)
    {
        var admission = _state.Decide(admit, _clock.GetUtcNow());
        if (admission.Refused is { } refused)
        {
            Sender.Tell(refused);
            return;
        }
        // A request that ends at once is counted against the key's rate limits as any, and reserves nothing.
        if (admission.Admitted is { } admitted) _state = admit.EndsAtOnce ? _state.ApplyEndedAtOnce(admitted) : _state.Apply(admitted);
        var (remaining, capped) = (admission.Remaining, admission.CappedMaxTokens);
        // No deployment: the answer comes from the cache, or the asker saw the circuit closed: no breaker to ask.
        if (admit.DeploymentId.Length == 0) Sender.Tell(new ProviderBreaker.Permit("", remaining, capped));
        else BreakersOnNodeOf(Sender).Tell(new ProviderBreaker.RequestPermit(admit.DeploymentId, admit.RequestId, remaining, capped), Sender);
    }

    private void Settle(KeyBudget.Settle settle)
    {
        var confirm = settle.Confirm ? Confirmation(Sender, settle.RequestId) : null;
        // A request that used no tokens (refused, failed, abandoned) only frees its slot: nothing to record.
        if (settle.Usage.TotalTokens == 0 && settle.Cost == 0)
        {
            _state = _state.Apply(new RequestEnded(settle.RequestId));
            confirm?.Invoke();
            return;
        }
        if (_counted.Contains(settle.RequestId))
        {
            _state = _state.Apply(new RequestEnded(settle.RequestId));
            // Counted before (asked again): confirmed once its write is done. It rides on the next write if it may not
            // have had one yet, else on those under way; it never starts one of its own, which under a slow peer would
            // put every ask behind a new write and answer none in time.
            if (confirm is null) return;
            if (_unwritten.Requests > 0)
            {
                _unconfirmed.Add(confirm);
                if (_writes.IsEmpty) WriteUnwritten(toBoth: true);
            }
            else _writes.AfterAll(confirm);
            return;
        }
        var now = _clock.GetUtcNow();
        // A write carries one time, which places its cost in a budget period on recovery: usage of an
        // earlier period goes out before this one counts in the next.
        if (_unwritten.Requests > 0 && _state.PeriodStartAt(now) is { } start && _unwritten.LastAt < start) WriteUnwritten(toBoth: false);
        var usage = new KeyBudget.UsageRecorded(1, settle.Usage.PromptTokens, settle.Usage.CompletionTokens, settle.Cost, At: now,
            EstimatedCost: settle.Usage.Estimated ? settle.Cost : 0);
        _state = _state.ApplySettled(settle.RequestId, settle.Usage.TotalTokens, usage);
        _unwritten.Add(usage, settle.RequestId);
        _counted.Add(settle.RequestId);
        if (_replica is not null)
        {
            _ownRun.Add(usage, settle.Cost, _state.Period.Start);
            _ownRun.Remember(settle.RequestId);
        }
        if (confirm is not null)
        {
            _unconfirmed.Add(confirm);
            // Group commit still: while a write is under way, this one waits to go with the next.
            if (_writes.IsEmpty) WriteUnwritten(toBoth: true);
        }
        if (_unwritten.Requests > 0 && !Timers.IsTimerActive(nameof(FlushTick)))
            Timers.StartSingleTimer(nameof(FlushTick), FlushTick.Instance, UsageFlushInterval);
    }

    /// <summary>
    /// Tells <paramref name="asker"/> its request is settled, when called (the caller asked to be told, router.settlement.confirm).
    /// Made only then: a closure over the asker in <see cref="Settle"/> would be made for every settlement.
    /// </summary>
    private Action Confirmation(IActorRef asker, string requestId)
    {
        var settled = new KeyBudget.Settled(_keyId, requestId);
        return () => asker.Tell(settled);
    }

    // ---- Reading.

    private KeyBudget.State CurrentState()
    {
        _state = _state.At(_clock.GetUtcNow());
        return _state.ToReply(_keyId);
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

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    private sealed class StartJournalAgain
    {
        public static readonly StartJournalAgain Instance = new();
    }

    /// <summary>Sharding's stop message when the key moves to another node (a graceful leave, a rebalance).</summary>
    public sealed class HandOff
    {
        public static readonly HandOff Instance = new();
    }
}
