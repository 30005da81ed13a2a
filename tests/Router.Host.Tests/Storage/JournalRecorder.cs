using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Router.Actors.KeyBudgets;
using Router.Actors.Serialization;
using Router.Contracts.Messages;
using Router.Host.Configuration;
using Router.Host.Storage;

namespace Router.Host.Tests.Storage;

/// <summary>
/// A persistent actor that journals the router's own events (a key's usage, one request id each) and
/// snapshots them as a key's totals, so they go through the router's serializer as the key budgets' do.
/// It answers "ok" once the journal (or the snapshot store) has them.
/// </summary>
public sealed class JournalRecorder : ReceivePersistentActor
{
    /// <summary>One event per request id, all in one atomic write.</summary>
    public sealed record Persist(params string[] RequestIds);

    public sealed record Snapshot;

    public sealed record DeleteUpTo(long SequenceNr);

    public sealed record GetState;

    public sealed record State(List<string> RequestIds, long SequenceNr);

    private List<string> _requestIds = [];
    private IActorRef? _waiting;

    public JournalRecorder(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<KeyBudget.UsageRecorded>(e => _requestIds.AddRange(e.RequestIds!));
        Recover<SnapshotOffer>(offer => _requestIds = [.. ((KeyBudget.Totals)offer.Snapshot).RequestIds!]);
        Command<Persist>(p =>
        {
            var sender = Sender;
            var left = p.RequestIds.Length;
            PersistAll(p.RequestIds.Select(id => new KeyBudget.UsageRecorded(1, 0, 0, RequestIds: [id])), e =>
            {
                _requestIds.AddRange(e.RequestIds!);
                if (--left == 0) sender.Tell("ok");
            });
        });
        Command<Snapshot>(_ =>
        {
            _waiting = Sender;
            SaveSnapshot(new KeyBudget.Totals(null, _requestIds.Count, 0, 0, RequestIds: [.. _requestIds]));
        });
        Command<SaveSnapshotSuccess>(_ => _waiting?.Tell("ok"));
        Command<DeleteUpTo>(d =>
        {
            _waiting = Sender;
            DeleteMessages(d.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => _waiting?.Tell("ok"));
        Command<GetState>(_ => Sender.Tell(new State([.. _requestIds], LastSequenceNr)));
    }

    public override string PersistenceId { get; }
}

/// <summary>An actor system under the router's own Akka config over <paramref name="storage"/> and its serializer, for recorders.</summary>
public sealed class RecorderSystem(RouterStorage storage) : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly ActorSystem _system = ActorSystem.Create("journal-test", BootstrapSetup.Create()
        .WithConfig(ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(storage.PersistenceConfig())
            .WithFallback(HoconConfigLoader.LoadAkkaDefaults()))
        .And(RouterSerialization.Setup()));

    public IActorRef Start(string persistenceId) => _system.ActorOf(Props.Create(() => new JournalRecorder(persistenceId)));

    /// <summary>A key's budget actor as the router runs it, journaling to this store.</summary>
    public IActorRef StartKeyBudget(string keyId) => _system.ActorOf(KeyBudgetActor.Props(keyId));

    public static Task<T> AskAsync<T>(IActorRef recorder, object message) =>
        recorder.Ask<T>(message, Wait, TestContext.Current.CancellationToken);

    public static Task StopAsync(IActorRef recorder) => recorder.GracefulStop(Wait);

    public async ValueTask DisposeAsync() => await _system.Terminate();
}
