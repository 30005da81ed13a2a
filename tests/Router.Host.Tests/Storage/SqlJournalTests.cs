using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Router.Host.Configuration;

namespace Router.Host.Tests.Storage;

/// <summary>
/// The router's journal and snapshot store under the router's own Akka config, against each kind of
/// store: what an actor persisted comes back in order after it restarts, snapshots restore state, and
/// deleted events stay deleted without their sequence numbers being handed out again.
/// </summary>
public abstract class SqlJournalTests : StorageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private ActorSystem _system = null!;

    public override async ValueTask DisposeAsync()
    {
        await _system.Terminate();
        await base.DisposeAsync();
    }

    private ActorSystem System => _system ??= ActorSystem.Create("journal-test",
        ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(Storage.PersistenceConfig())
            .WithFallback(HoconConfigLoader.LoadAkkaDefaults()));

    [Fact]
    public async Task Events_come_back_in_the_order_they_were_persisted_after_a_restart()
    {
        var recorder = Start("key-a");
        foreach (var e in new[] { "a", "b", "c" }) await AskAsync<string>(recorder, new Persist(e));
        await AskAsync<string>(recorder, new PersistAtomically(["d", "e"]));
        var other = Start("key-b");
        await AskAsync<string>(other, new Persist("not mine"));
        await StopAsync(recorder);
        await StopAsync(other);

        var restarted = Start("key-a");

        var state = await AskAsync<RecorderState>(restarted, new GetState());
        Assert.Equal(["a", "b", "c", "d", "e"], state.Events);
        Assert.Equal(5, state.SequenceNr);
    }

    [Fact]
    public async Task A_snapshot_restores_what_the_events_before_it_held()
    {
        var recorder = Start("key-a");
        foreach (var e in new[] { "a", "b" }) await AskAsync<string>(recorder, new Persist(e));
        await AskAsync<string>(recorder, new Snapshot());
        await AskAsync<string>(recorder, new Persist("c"));
        // Only the snapshot can bring back a and b now.
        await AskAsync<string>(recorder, new DeleteUpTo(2));
        await StopAsync(recorder);

        var state = await AskAsync<RecorderState>(Start("key-a"), new GetState());

        Assert.Equal(["a", "b", "c"], state.Events);
        Assert.Equal(3, state.SequenceNr);
    }

    [Fact]
    public async Task Deleted_events_are_not_replayed_and_their_sequence_numbers_are_not_used_again()
    {
        var recorder = Start("key-a");
        foreach (var e in new[] { "a", "b", "c" }) await AskAsync<string>(recorder, new Persist(e));
        await AskAsync<string>(recorder, new DeleteUpTo(3));
        await StopAsync(recorder);

        var restarted = Start("key-a");
        var emptied = await AskAsync<RecorderState>(restarted, new GetState());
        Assert.Empty(emptied.Events);
        Assert.Equal(3, emptied.SequenceNr);
        await AskAsync<string>(restarted, new Persist("d"));
        await StopAsync(restarted);

        var state = await AskAsync<RecorderState>(Start("key-a"), new GetState());
        Assert.Equal(["d"], state.Events);
        Assert.Equal(4, state.SequenceNr);
    }

    private static Task<T> AskAsync<T>(IActorRef actor, object message) => actor.Ask<T>(message, Wait, TestContext.Current.CancellationToken);

    private IActorRef Start(string persistenceId) => System.ActorOf(Props.Create(() => new Recorder(persistenceId)));

    private static async Task StopAsync(IActorRef actor) => await actor.GracefulStop(Wait);

    private sealed record Persist(string Event);

    private sealed record PersistAtomically(string[] Events);

    private sealed record Snapshot;

    private sealed record DeleteUpTo(long SequenceNr);

    private sealed record GetState;

    private sealed record RecorderState(List<string> Events, long SequenceNr);

    /// <summary>Persists strings and answers "ok" once the journal (or snapshot store) has them.</summary>
    private sealed class Recorder : ReceivePersistentActor
    {
        private List<string> _events = [];
        private IActorRef? _waiting;

        public Recorder(string persistenceId)
        {
            PersistenceId = persistenceId;
            Recover<string>(e => _events.Add(e));
            Recover<SnapshotOffer>(offer => _events = [.. (string[])offer.Snapshot]);
            Command<Persist>(p => Persist(p.Event, e =>
            {
                _events.Add(e);
                Sender.Tell("ok");
            }));
            Command<PersistAtomically>(p =>
            {
                var sender = Sender;
                var left = p.Events.Length;
                PersistAll(p.Events, e =>
                {
                    _events.Add(e);
                    if (--left == 0) sender.Tell("ok");
                });
            });
            Command<Snapshot>(_ =>
            {
                _waiting = Sender;
                SaveSnapshot(_events.ToArray());
            });
            Command<SaveSnapshotSuccess>(_ => _waiting?.Tell("ok"));
            Command<DeleteUpTo>(d =>
            {
                _waiting = Sender;
                DeleteMessages(d.SequenceNr);
            });
            Command<DeleteMessagesSuccess>(_ => _waiting?.Tell("ok"));
            Command<GetState>(_ => Sender.Tell(new RecorderState([.. _events], LastSequenceNr)));
        }

        public override string PersistenceId { get; }
    }
}

public sealed class SqliteJournalTests : SqlJournalTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());
}

public sealed class PostgresJournalTests(PostgresFixture postgres) : SqlJournalTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);
}
