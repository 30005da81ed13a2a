using Akka.Actor;
using Akka.Event;
using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Contracts.Messages;
using DData = Akka.DistributedData;

namespace Router.Actors.KeyBudgets;

/// <summary>
/// The single writer for one virtual key: its policy, what it has spent, what its requests in flight
/// have reserved, and its request and token rates. Admission is one hop: a request the key may make
/// reserves its estimated cost and is forwarded to the deployment's breaker on the asker's own node,
/// which answers the asker directly. Because one actor decides every admission of its key in turn,
/// a budget is never overcommitted by concurrent requests: each sees the reservations before it.
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
public sealed class KeyBudgetActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    public static readonly TimeSpan UsageFlushInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How many counted requests are remembered, so a settlement sent again counts once. Senders retry
    /// for seconds; this covers many minutes of one key's traffic, and bounds the snapshot (about 40 bytes an id).
    /// </summary>
    public const int RememberedRequests = 10_000;

    /// <summary>How many of the last counted requests' ids go with the usage a journal is given when it is back.</summary>
    private const int CaughtUpRequestIds = 1000;

    /// <summary>How long after its journal stopped the key starts a new one, at first; doubling up to <see cref="JournalRetryMax"/>.</summary>
    private static readonly TimeSpan JournalRetryFirst = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan JournalRetryMax = TimeSpan.FromSeconds(5);

    private readonly string _keyId;
    private readonly TimeProvider _clock;
    private readonly KeyReplica? _replica;
    private readonly Dictionary<Address, ActorSelection> _breakersByNode = new();
    private readonly Dictionary<string, (decimal Cost, int Tokens)> _reservations = new(StringComparer.Ordinal);
    private readonly RateWindow _rates = new();
    private readonly BudgetPeriod _period = new();
    // Admitted and not yet settled: a settlement sent twice ends its request once.
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly CountedRequests _counted = new(RememberedRequests);
    private readonly PendingWrites _writes = new();
    private KeyPolicy? _policy;
    private bool _deleted;
    private decimal _reserved;

    // Everything settled (what the key has spent), and what no write has taken yet.
    private KeyBudget.UsageRecorded _settled = KeyUsage.None;
    private KeyBudget.UsageRecorded _unwritten = KeyUsage.None;
    private DateTimeOffset _lastUnwrittenAt;
    private List<string> _unwrittenIds = [];
    // Senders waiting for the unwritten usage to be written.
    private List<Action> _unconfirmed = [];
    // What this node's run has counted for the key, as the replica holds it, and its last requests.
    private KeyBudget.ReplicaUsage _ownRun = new(0, 0, 0, 0, null, 0, []);
    private readonly Queue<string> _ownRecentIds = new();

    // The journal: null while none runs; ready once it has read back what it holds.
    private IActorRef? _journal;
    private bool _journalReady;
    private int _journalRuns;
    private TimeSpan _journalRetry = JournalRetryFirst;
    private readonly Queue<(object Event, IActorRef Sender)> _policyWrites = new();

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

    /// <summary>
    /// The key as the stores hold it: the journal's policy (it writes first), and of usage whichever holds more,
    /// giving the other what it lacks.
    /// </summary>
    private void Restore(KeyBudget.Totals? journal, ReplicatedKey replica)
    {
        _policy = journal?.Policy ?? (journal?.AllowedModels is { } models ? new KeyPolicy("", "", models) : null) ?? replica.Policy?.Policy;
        _deleted = journal?.Policy is not null || journal?.AllowedModels is not null ? journal.Deleted : replica.Policy?.Deleted ?? false;
        var journaled = journal is null ? KeyUsage.None : Usage(journal);
        _settled = Max(journaled, replica.Usage);

        var (periodStart, periodSpend) = replica.PeriodStart > journal?.PeriodStart || journal is null
            ? (replica.PeriodStart, replica.PeriodSpend)
            : journal.PeriodStart > replica.PeriodStart ? (journal.PeriodStart, journal.PeriodSpend)
            : (journal.PeriodStart, Math.Max(journal.PeriodSpend, replica.PeriodSpend));
        _period.Restore(periodStart, periodSpend);
        _counted.Journaled(journal?.RequestIds);
        _counted.Journaled(replica.RecentIds);

        if (_replica is not null)
        {
            _ownRun = replica.Own ?? _ownRun;
            foreach (var id in _ownRun.RecentIds) _ownRecentIds.Enqueue(id);
            // What the journal has and no node's replica has (a key older than its replica): this run's entry takes
            // it. Only when every node's copy was read: one node's copy may lack what the other's holds.
            var lacking = KeyUsage.Beyond(journaled, replica.Usage);
            var periodLacking = periodStart == replica.PeriodStart ? Math.Max(0, periodSpend - replica.PeriodSpend) : periodSpend;
            if (replica.FromEveryNode && (!KeyUsage.IsNone(lacking) || periodLacking > 0)) AddToOwnRun(lacking, periodLacking);
            if (journal?.Policy is { } policy && replica.Policy?.Policy != policy) WritePolicyToReplica();
        }
        if (journal is not null) CatchUpJournal(journaled);
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
            var journaled = Usage(recovered.Totals);
            // More in the journal than here: written by the key's actor on the other side of a network cut.
            var lacking = KeyUsage.Beyond(journaled, _settled);
            if (!KeyUsage.IsNone(lacking))
            {
                _settled = KeyUsage.Add(_settled, lacking);
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
        var sender = Sender;
        var settled = new KeyBudget.Settled(_keyId, settle.RequestId);
        // A request that used no tokens (refused, failed, abandoned) only frees its slot: nothing to record.
        if (settle.Usage.TotalTokens == 0 && settle.Cost == 0)
        {
            if (settle.Confirm) sender.Tell(settled);
            return;
        }
        if (_counted.Contains(settle.RequestId))
        {
            // Counted before (asked again): confirmed once its write is done. It rides on the next write if it may not
            // have had one yet, else on those under way; it never starts one of its own, which under a slow peer would
            // put every ask behind a new write and answer none in time.
            if (!settle.Confirm) return;
            if (_unwritten.Requests > 0)
            {
                _unconfirmed.Add(() => sender.Tell(settled));
                if (_writes.IsEmpty) WriteUnwritten(toBoth: true);
            }
            else _writes.AfterAll(() => sender.Tell(settled));
            return;
        }
        var now = _clock.GetUtcNow();
        // A write carries one time, which places its cost in a budget period on recovery: usage of an
        // earlier period goes out before this one counts in the next.
        _period.Roll(_policy, now);
        if (_unwritten.Requests > 0 && _period.Start is { } start && _lastUnwrittenAt < start) WriteUnwritten(toBoth: false);
        _rates.AddTokens(now, settle.Usage.TotalTokens);
        var usage = new KeyBudget.UsageRecorded(1, settle.Usage.PromptTokens, settle.Usage.CompletionTokens, settle.Cost);
        _settled = KeyUsage.Add(_settled, usage);
        _unwritten = KeyUsage.Add(_unwritten, usage);
        _lastUnwrittenAt = now;
        _counted.Add(settle.RequestId);
        _unwrittenIds.Add(settle.RequestId);
        _period.Count(_policy, settle.Cost, now);
        if (_replica is not null)
        {
            AddToOwnRun(usage, settle.Cost, write: false);
            _ownRecentIds.Enqueue(settle.RequestId);
            while (_ownRecentIds.Count > KeyReplica.ReplicatedRequestIds) _ownRecentIds.Dequeue();
        }
        if (settle.Confirm)
        {
            _unconfirmed.Add(() => sender.Tell(settled));
            // Group commit still: while a write is under way, this one waits to go with the next.
            if (_writes.IsEmpty) WriteUnwritten(toBoth: true);
        }
        if (_unwritten.Requests > 0 && !Timers.IsTimerActive(nameof(FlushTick)))
            Timers.StartSingleTimer(nameof(FlushTick), FlushTick.Instance, UsageFlushInterval);
    }

    /// <summary>Writes what is unwritten, then answers once every write so far is done.</summary>
    private void AfterWriting(Action<IActorRef> answer, bool toBoth = false)
    {
        var sender = Sender;
        if (toBoth && _unwritten.Requests == 0 && _replica is not null) WriteOwnRunToBoth();
        WriteUnwritten(toBoth);
        _writes.AfterAll(() => answer(sender));
    }

    private void WriteUnwritten(bool toBoth)
    {
        if (_unwritten.Requests == 0) return;
        // Stamped with when the usage was settled, not written: a write may come after the period ended.
        var usage = _unwritten with { At = _lastUnwrittenAt, RequestIds = _unwrittenIds };
        var confirmations = _unconfirmed;
        (_unwritten, _unwrittenIds, _unconfirmed) = (KeyUsage.None, [], []);
        // A confirmation is owed once both nodes have it, whichever write takes it.
        toBoth |= confirmations.Count > 0;
        // Without a journal to write to, a write is done once the replica has it; with neither, once a journal is back.
        var generation = _writes.Start(journalDone: !_journalReady && _replica is not null, replicaDone: _replica is null, confirmations);
        // A journal that is down or still reading back is given this later, with whatever else it lacks.
        if (_journalReady) _journal!.Tell(new KeyJournalActor.WriteUsage(usage, generation));
        _replica?.WriteUsage(_ownRun with { RecentIds = [.. _ownRecentIds] }, toBoth, generation, Self);
        _counted.Journaled(usage.RequestIds);
    }

    private void WriteOwnRunToBoth()
    {
        var generation = _writes.Start(journalDone: true, replicaDone: false, null);
        _replica!.WriteUsage(_ownRun with { RecentIds = [.. _ownRecentIds] }, toBoth: true, generation, Self);
    }

    private void ReplicaWrote(object request)
    {
        if (request is not KeyReplica.WriteRequest write) return;
        _writes.ReplicaWrote(write.Generation);
        WriteWaitingConfirmations();
    }

    /// <summary>Confirmations that came while writes were under way go now, together.</summary>
    private void WriteWaitingConfirmations()
    {
        if (_writes.IsEmpty && _unconfirmed.Count > 0) WriteUnwritten(toBoth: true);
    }

    /// <summary>Counts usage in this node's run's replica entry, in the current budget period.</summary>
    private void AddToOwnRun(KeyBudget.UsageRecorded usage, decimal periodCost, bool write = true)
    {
        var samePeriod = _ownRun.PeriodStart == _period.Start;
        _ownRun = new KeyBudget.ReplicaUsage(
            _ownRun.Requests + usage.Requests, _ownRun.PromptTokens + usage.PromptTokens, _ownRun.CompletionTokens + usage.CompletionTokens,
            _ownRun.Cost + usage.Cost, _period.Start, (samePeriod ? _ownRun.PeriodSpend : 0) + periodCost, _ownRun.RecentIds);
        if (write) WriteOwnRunToBoth();
    }

    // ---- The journal: started, stopped, started again, and given what it lacks.

    private void StartJournal()
    {
        _journalReady = false;
        _journal = Context.Watch(Context.ActorOf(KeyJournalActor.Props(_keyId, _clock), $"journal-{++_journalRuns}"));
    }

    /// <summary>Its database failed: the key goes on, and tries a new journal later.</summary>
    private void JournalStopped()
    {
        if (_journalReady || _journalRuns == 1)
            Context.GetLogger().Warning("The journal of key {0} stopped (its database failed); the key goes on{1}, and tries again in {2} s",
                _keyId, _replica is null ? "" : " from its replica", _journalRetry.TotalSeconds);
        _journal = null;
        _journalReady = false;
        _writes.JournalStopped(replicaKeepsThem: _replica is not null);
        while (_policyWrites.TryDequeue(out var waiting)) waiting.Sender.Tell(new KeyBudget.JournalUnavailable(_keyId));
        Timers.StartSingleTimer(nameof(StartJournalAgain), StartJournalAgain.Instance, _journalRetry);
        _journalRetry = TimeSpan.FromTicks(Math.Min(_journalRetry.Ticks * 2, JournalRetryMax.Ticks));
    }

    /// <summary>
    /// Gives a journal that has read back <paramref name="journaled"/> what was settled and it lacks, in one event;
    /// except the unwritten usage, which the next write gives it. False when it lacks nothing.
    /// </summary>
    private bool CatchUpJournal(KeyBudget.UsageRecorded journaled)
    {
        var missing = KeyUsage.Beyond(KeyUsage.Beyond(_settled, _unwritten), journaled);
        if (KeyUsage.IsNone(missing)) return false;
        var generation = _writes.Start(journalDone: false, replicaDone: true, null);
        _journal!.Tell(new KeyJournalActor.WriteUsage(missing with { At = _clock.GetUtcNow(), RequestIds = [.. _counted.JournaledIds().TakeLast(CaughtUpRequestIds)] }, generation));
        return true;
    }

    // ---- Policy: the journal first (a change nobody can read back would be lost), then the replica.

    private void WritePolicy(object @event)
    {
        if (!_journalReady)
        {
            Sender.Tell(new KeyBudget.JournalUnavailable(_keyId));
            return;
        }
        _policyWrites.Enqueue((@event, Sender));
        _journal!.Tell(new KeyJournalActor.WritePolicy(@event));
    }

    private void PolicyWritten(KeyJournalActor.PolicyWritten written)
    {
        var (_, sender) = _policyWrites.Dequeue();
        if (written.Event is KeyBudget.KeyPolicySet set)
        {
            if (_policy?.BudgetDuration != set.Policy.BudgetDuration) _period.Restart();
            // As when it was provisioned: a key provisioned again after its deletion is a key again.
            _policy = set.Policy;
            _deleted = false;
            sender.Tell(new KeyBudget.Provisioned(_keyId));
        }
        else
        {
            _deleted = true;
            sender.Tell(new KeyBudget.Deleted(_keyId));
        }
        if (_replica is not null) WritePolicyToReplica();
    }

    private void WritePolicyToReplica()
    {
        var generation = _writes.Start(journalDone: true, replicaDone: false, null);
        _replica!.WritePolicy(new KeyBudget.ReplicaPolicy(_policy, _deleted), generation, Self);
    }

    // ---- Reading.

    private static KeyBudget.UsageRecorded Usage(KeyBudget.Totals totals) =>
        new(totals.Requests, totals.PromptTokens, totals.CompletionTokens, totals.Spend);

    private static KeyBudget.UsageRecorded Max(KeyBudget.UsageRecorded a, KeyBudget.UsageRecorded b) =>
        KeyUsage.Add(a, KeyUsage.Beyond(b, a));

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
