using Npgsql;
using Router.Host.Auth;
using Router.Host.Http;
using Router.Host.Keys;
using Router.Host.Storage;
using Router.Host.Tests.Storage;

namespace Router.Host.Tests.Keys;

/// <summary>
/// Issue 17: PostgreSQL down for minutes, and no request of an existing key fails on either node of a pair. Two
/// directories over the same database, each with its own connections and data directory, are the two nodes. A
/// class of its own: it stops its PostgreSQL.
/// </summary>
public sealed class KeyDirectoryWhilePostgresIsDownTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Created = new(2026, 2, 3, 4, 5, 6, 789, TimeSpan.Zero);
    private readonly List<IDisposable> _storages = [];
    private readonly List<string> _dataDirs = [];
    private string _database = "";

    public async ValueTask InitializeAsync()
    {
        await StartPostgresAsync();
        _database = await postgres.NewDatabaseAsync();
        using var storage = new PostgresStorage(_database);
        storage.Prepare();
    }

    public async ValueTask DisposeAsync()
    {
        // The next test needs it back, whatever this one did.
        await StartPostgresAsync();
        foreach (var storage in _storages) storage.Dispose();
        foreach (var dir in _dataDirs) Directory.Delete(dir, recursive: true);
    }

    /// <summary>Starts PostgreSQL when stopped; pooled connections to the server that went are let go.</summary>
    private async Task StartPostgresAsync()
    {
        if (postgres.Server.IsRunning) return;
        await postgres.Server.StartAsync();
        NpgsqlConnection.ClearAllPools();
    }

    private static KeyEntry Entry(int n) => new($"key_{n:x16}", $"hash-{n}", $"sk-…{n:0000}", $"team-{n}", Created.AddMinutes(n));

    /// <summary>A node's directory: its own connections to the shared database, its own data directory.</summary>
    private KeyDirectory Node(string? dataDir = null)
    {
        var storage = new PostgresStorage(_database);
        _storages.Add(storage);
        return new KeyDirectory(storage, TimeProvider.System, KeyIndexFile.InDataDir(dataDir ?? NewDataDir()));
    }

    private string NewDataDir()
    {
        var dir = Directory.CreateTempSubdirectory("router-keys-").FullName;
        _dataDirs.Add(dir);
        return dir;
    }

    [Fact]
    public async Task Every_existing_key_is_found_while_postgres_is_down_even_one_never_looked_up_or_made_on_the_other_node()
    {
        var otherNode = Node();
        for (var n = 1; n <= 50; n++) Assert.True(otherNode.Add(Entry(n)));
        var node = Node();
        Assert.True(node.Load());
        Assert.True(node.Add(Entry(51)));
        // Made on the other node after this one started, before PostgreSQL went: the refresh brings it here.
        Assert.True(otherNode.Add(Entry(52)));
        node.Refresh();

        await postgres.Server.StopAsync();

        for (var n = 1; n <= 52; n++) Assert.Equal(Entry(n), node.FindByHash($"hash-{n}"));
        // A refresh while it is down fails and leaves the index as it was.
        Assert.True(RouterStorage.IsDatabaseFailure(Assert.ThrowsAny<Exception>(node.Refresh)));
        Assert.Equal(Entry(7), node.FindByHash("hash-7"));
        // Admin reads answer from the index meanwhile.
        Assert.Equal(Entry(52), node.FindById(Entry(52).KeyId));
        Assert.Equal(Entry(9), node.FindByAlias("team-9"));
        Assert.Equal(52, node.List().Count);
        // A hash the index lacks must be asked of the database: the caller is told to come back.
        var unknown = Assert.Throws<RouterError>(() => node.FindByHash("hash-never-made"));
        Assert.Equal(503, unknown.Status);
        Assert.Equal("storage_unavailable", unknown.Body.Code);
    }

    [Fact]
    public async Task A_node_started_while_postgres_is_down_finds_its_keys_in_the_file_it_wrote()
    {
        var dataDir = NewDataDir();
        var before = Node(dataDir);
        Assert.True(before.Load());
        Assert.True(before.Add(Entry(1)));
        Assert.True(Node().Add(Entry(2)));
        before.Refresh();
        Assert.True(before.Add(Entry(3)));
        before.Remove(Entry(1).KeyId);
        // Found in the table by a request before a refresh took it: the refresh finds the index unchanged, and
        // still writes the file, which lacked it.
        Assert.True(Node().Add(Entry(4)));
        Assert.Equal(Entry(4), before.FindByHash("hash-4"));
        before.Refresh();

        await postgres.Server.StopAsync();
        var restarted = Node(dataDir);
        Assert.True(restarted.Load());

        Assert.Equal(Entry(2), restarted.FindByHash("hash-2"));
        Assert.Equal(Entry(3), restarted.FindByHash("hash-3"));
        Assert.Equal(Entry(4), restarted.FindByHash("hash-4"));
        Assert.Equal(3, restarted.IndexedKeys);
        var file = KeyIndexFile.InDataDir(dataDir).Path;
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal([KeyIndexFile.FileName], Directory.EnumerateFiles(dataDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_node_started_while_postgres_is_down_without_a_readable_file_refuses_only_with_503()
    {
        var dataDir = NewDataDir();
        await File.WriteAllTextAsync(KeyIndexFile.InDataDir(dataDir).Path, "{\"keys\": [", TestContext.Current.CancellationToken);
        await postgres.Server.StopAsync();

        var node = Node(dataDir);
        Assert.False(node.Load());

        Assert.Equal(503, Assert.Throws<RouterError>(() => node.FindByHash("hash-1")).Status);
        Assert.Equal(503, Assert.Throws<RouterError>(() => node.FindById(Entry(1).KeyId)).Status);
    }

    [Fact]
    public async Task A_key_change_while_postgres_is_down_is_refused_with_what_still_works()
    {
        var node = Node();
        Assert.True(node.Load());
        Assert.True(node.Add(Entry(1)));
        await postgres.Server.StopAsync();

        var probed = await Assert.ThrowsAsync<RouterError>(() => node.RequireDatabaseForChangeAsync(TestContext.Current.CancellationToken));
        foreach (var refused in new[]
                 {
                     probed,
                     Assert.Throws<RouterError>(() => node.Add(Entry(2))),
                     Assert.Throws<RouterError>(() => node.SetAlias(Entry(1).KeyId, "renamed")),
                     Assert.Throws<RouterError>(() => node.Rehash(Entry(1).KeyId, "hash-new", "sk-…new")),
                     Assert.Throws<RouterError>(() => node.Remove(Entry(1).KeyId)),
                 })
        {
            Assert.Equal(503, refused.Status);
            Assert.Equal("storage_unavailable", refused.Body.Code);
            Assert.Contains("cannot be created or changed until it is back", refused.Body.Message, StringComparison.Ordinal);
            Assert.Contains("Existing keys keep working", refused.Body.Message, StringComparison.Ordinal);
            Assert.NotNull(refused.RetryAfter);
        }
        Assert.Equal(Entry(1), node.FindByHash("hash-1"));
    }
}
