using Router.Actors.KeyBudgets;
using Router.Contracts.Messages;
using Router.Contracts.Wire;
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

    [Fact]
    public async Task A_keys_journal_keeps_only_the_rows_after_its_latest_snapshot_and_recovers_its_totals()
    {
        const string KeyId = "key-busy";
        const int Requests = KeyJournalActor.EventsPerSnapshot * 2 + 100;
        var budget = Recorders.StartKeyBudget(KeyId);
        await AskAsync<KeyBudget.Provisioned>(budget, new KeyBudget.Provision(KeyId, new KeyPolicy(new string('a', 64), "sk-…", ["*"])));
        for (var i = 0; i < Requests; i++)   // a confirming settle is one event, written at once
            await AskAsync<KeyBudget.Settled>(budget, new KeyBudget.Settle(KeyId, $"r{i}", "m", new TokenUsage(2, 1, 0), 0.001m, Confirm: true));

        // The rows Akka.Persistence.Sql keeps: the events after the snapshot (and the newest deleted one, which holds the sequence number).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (RowsOf("journal") > KeyJournalActor.EventsPerSnapshot + 1 || RowsOf("snapshot") != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, $"journal rows {RowsOf("journal")}, snapshot rows {RowsOf("snapshot")}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        await StopAsync(budget);

        var state = await AskAsync<KeyBudget.State>(Recorders.StartKeyBudget(KeyId), new KeyBudget.GetState(KeyId));
        Assert.Equal(((long)Requests, Requests * 2L, Requests * 0.001m), (state.Requests, state.PromptTokens, state.Spend));

        long RowsOf(string table)
        {
            using var connection = Storage.OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE persistence_id = 'key-budget-{KeyId}'";
            return Convert.ToInt64(command.ExecuteScalar());
        }
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
