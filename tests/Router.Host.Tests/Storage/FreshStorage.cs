using Microsoft.Data.Sqlite;
using Router.Host.Storage;

namespace Router.Host.Tests.Storage;

/// <summary>An empty, prepared store for one test, of either kind; disposing it throws it away.</summary>
public sealed class FreshStorage : IAsyncDisposable
{
    private readonly Action _cleanup;

    private FreshStorage(RouterStorage storage, Action cleanup)
    {
        Storage = storage;
        _cleanup = cleanup;
        storage.Prepare();
    }

    public RouterStorage Storage { get; }

    public static FreshStorage Sqlite()
    {
        var dir = Directory.CreateTempSubdirectory("router-storage-").FullName;
        return new FreshStorage(new SqliteStorage(dir), () =>
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        });
    }

    public static async Task<FreshStorage> PostgresAsync(PostgresFixture postgres) =>
        new(new PostgresStorage(await postgres.NewDatabaseAsync()), () => { });

    public ValueTask DisposeAsync()
    {
        Storage.Dispose();
        _cleanup();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Tests that run once per kind of store: a subclass says which.</summary>
public abstract class StorageTests : IAsyncLifetime
{
    private FreshStorage _fresh = null!;

    protected RouterStorage Storage => _fresh.Storage;

    protected abstract Task<FreshStorage> CreateStorageAsync();

    public async ValueTask InitializeAsync() => _fresh = await CreateStorageAsync();

    public virtual async ValueTask DisposeAsync() => await _fresh.DisposeAsync();
}
