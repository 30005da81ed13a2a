using static Router.Host.Tests.Storage.JournalRecorder;
using static Router.Host.Tests.Storage.RecorderSystem;

namespace Router.Host.Tests.Storage;

/// <summary>
/// Akka.Persistence.Sql under the router's own Akka config, against each kind of store: what an actor
/// persisted comes back in order after it restarts, snapshots restore state, deleted events stay deleted
/// without their sequence numbers being handed out again, and the rows hold the router's serializer and
/// its fixed manifests (so renaming a class never orphans a journal).
/// </summary>
public abstract class JournalTests : StorageTests
{
    private RecorderSystem? _recorders;

    private RecorderSystem Recorders => _recorders ??= new RecorderSystem(Storage);

    public override async ValueTask DisposeAsync()
    {
        if (_recorders is not null) await _recorders.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Events_come_back_in_the_order_they_were_persisted_after_a_restart()
    {
        var recorder = Recorders.Start("key-a");
        foreach (var id in new[] { "a", "b", "c" }) await AskAsync<string>(recorder, new Persist(id));
        await AskAsync<string>(recorder, new Persist("d", "e"));
        var other = Recorders.Start("key-b");
        await AskAsync<string>(other, new Persist("not mine"));
        await StopAsync(recorder);
        await StopAsync(other);

        var state = await AskAsync<State>(Recorders.Start("key-a"), new GetState());

        Assert.Equal(["a", "b", "c", "d", "e"], state.RequestIds);
        Assert.Equal(5, state.SequenceNr);
    }

    [Fact]
    public async Task A_snapshot_restores_what_the_events_before_it_held()
    {
        var recorder = Recorders.Start("key-a");
        foreach (var id in new[] { "a", "b" }) await AskAsync<string>(recorder, new Persist(id));
        await AskAsync<string>(recorder, new Snapshot());
        await AskAsync<string>(recorder, new Persist("c"));
        // Only the snapshot can bring back a and b now.
        await AskAsync<string>(recorder, new DeleteUpTo(2));
        await StopAsync(recorder);

        var state = await AskAsync<State>(Recorders.Start("key-a"), new GetState());

        Assert.Equal(["a", "b", "c"], state.RequestIds);
        Assert.Equal(3, state.SequenceNr);
    }

    [Fact]
    public async Task Deleted_events_are_not_replayed_and_their_sequence_numbers_are_not_used_again()
    {
        var recorder = Recorders.Start("key-a");
        foreach (var id in new[] { "a", "b", "c" }) await AskAsync<string>(recorder, new Persist(id));
        await AskAsync<string>(recorder, new DeleteUpTo(3));
        await StopAsync(recorder);

        var restarted = Recorders.Start("key-a");
        var emptied = await AskAsync<State>(restarted, new GetState());
        Assert.Empty(emptied.RequestIds);
        Assert.Equal(3, emptied.SequenceNr);
        await AskAsync<string>(restarted, new Persist("d"));
        await StopAsync(restarted);

        var state = await AskAsync<State>(Recorders.Start("key-a"), new GetState());
        Assert.Equal(["d"], state.RequestIds);
        Assert.Equal(4, state.SequenceNr);
    }

    [Fact]
    public async Task Events_and_snapshots_are_stored_by_the_routers_serializer_under_its_fixed_manifests()
    {
        var recorder = Recorders.Start("key-a");
        await AskAsync<string>(recorder, new Persist("a"));
        await AskAsync<string>(recorder, new Snapshot());

        Assert.Equal([(RouterJsonSerializerId, "kb-usage")], SerializersOf("SELECT identifier, manifest FROM journal WHERE persistence_id = 'key-a'"));
        Assert.Equal([(RouterJsonSerializerId, "kb-totals")], SerializersOf("SELECT serializer_id, manifest FROM snapshot WHERE persistence_id = 'key-a'"));
    }

    // RouterJsonSerializer's id, written out: journals already written hold it, so it must not change either.
    private const int RouterJsonSerializerId = 4100;

    /// <summary>The serializer id and manifest of each row <paramref name="sql"/> selects, straight from Akka.Persistence.Sql's tables.</summary>
    private List<(int, string)> SerializersOf(string sql)
    {
        using var connection = Storage.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<(int, string)>();
        while (reader.Read()) rows.Add((Convert.ToInt32(reader.GetValue(0)), reader.GetString(1)));
        return rows;
    }
}

public sealed class SqliteJournalTests : JournalTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());
}

public sealed class PostgresJournalTests(PostgresFixture postgres) : JournalTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);
}
