using Microsoft.Data.Sqlite;
using Router.Host.Storage;

namespace Router.Host.Tests.Storage;

/// <summary>
/// An empty, prepared store for one test, of either kind, with a data directory of its own (which holds the
/// SQLite files, and what a node keeps beside PostgreSQL); disposing it throws both away.
/// </summary>
public sealed class FreshStorage : IAsyncDisposable
{
    private FreshStorage(RouterStorage storage, string dataDir)
    {
        Storage = storage;
        DataDir = dataDir;
        storage.Prepare();
    }

    public RouterStorage Storage { get; }

    public string DataDir { get; }

    public static FreshStorage Sqlite()
    {
        var dir = NewDataDir();
        return new FreshStorage(new SqliteStorage(dir), dir);
    }

    public static async Task<FreshStorage> PostgresAsync(PostgresFixture postgres) =>
        new(new PostgresStorage(await postgres.NewDatabaseAsync()), NewDataDir());

    private static string NewDataDir() => Directory.CreateTempSubdirectory("router-storage-").FullName;

    public ValueTask DisposeAsync()
    {
        Storage.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(DataDir, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Tests that run once per kind of store: a subclass says which.</summary>
public abstract class StorageTests : IAsyncLifetime
{
    private FreshStorage _fresh = null!;

    protected RouterStorage Storage => _fresh.Storage;

    /// <summary>This test's data directory.</summary>
    protected string DataDir => _fresh.DataDir;

    protected abstract Task<FreshStorage> CreateStorageAsync();

    public async ValueTask InitializeAsync() => _fresh = await CreateStorageAsync();

    public virtual async ValueTask DisposeAsync() => await _fresh.DisposeAsync();
}
