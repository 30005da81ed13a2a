using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Router.Host.Ingress.Responses;
using Router.Host.Tests.Storage;
using Router.Tests.Shared;

namespace Router.Host.Tests.Ingress;

/// <summary>The stored Responses answers on each database: the key's own, until they expire, replaced by a reused id.</summary>
public abstract class ResponseStoreTests : StorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly JsonElement[] Conversation =
    [
        JsonDocument.Parse("""{"role":"user","content":"hi"}""").RootElement,
        JsonDocument.Parse("""{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"}""").RootElement,
    ];

    private ResponseStore Store() => new(Storage, TimeProvider.System, TimeSpan.FromDays(1), NullLogger<ResponseStore>.Instance);

    [Fact]
    public async Task A_response_is_its_keys_own_until_it_expires()
    {
        var clock = new ManualClock();
        var store = new ResponseStore(Storage, clock, TimeSpan.FromDays(30), NullLogger<ResponseStore>.Instance);
        await store.SaveAsync("resp_1", "key-a", """{"id":"resp_1"}""", Conversation, Ct);

        var found = await store.FindAsync("resp_1", "key-a", Ct);
        Assert.Equal("""{"id":"resp_1"}""", found!.Json);
        Assert.Equal(Conversation.Select(i => i.GetRawText()), found.Conversation.Select(i => i.GetRawText()));
        Assert.Null(await store.FindAsync("resp_1", "key-b", Ct));
        Assert.False(await store.DeleteAsync("resp_1", "key-b", Ct));

        clock.Advance(TimeSpan.FromDays(31));
        Assert.Null(await store.FindAsync("resp_1", "key-a", Ct));
    }

    [Fact]
    public async Task Two_keys_may_hold_one_id_and_a_key_reusing_its_id_replaces_its_response()
    {
        var store = Store();
        await store.SaveAsync("resp_same", "key-a", """{"n":1}""", Conversation, Ct);
        await store.SaveAsync("resp_same", "key-b", """{"n":2}""", Conversation, Ct);
        await store.SaveAsync("resp_same", "key-a", """{"n":3}""", [], Ct);

        Assert.Equal("""{"n":3}""", (await store.FindAsync("resp_same", "key-a", Ct))!.Json);
        Assert.Equal("""{"n":2}""", (await store.FindAsync("resp_same", "key-b", Ct))!.Json);
        Assert.True(await store.DeleteAsync("resp_same", "key-a", Ct));
        Assert.Null(await store.FindAsync("resp_same", "key-a", Ct));
    }

    [Fact]
    public async Task A_read_or_delete_that_comes_while_a_response_is_still_being_kept_waits_for_it()
    {
        var store = Store();
        var release = new ManualResetEventSlim();
        store.Keep("resp_bg", "key-a", () =>
        {
            release.Wait(Ct);
            return new StoredResponse("""{"id":"resp_bg"}""", Conversation);
        });

        var find = store.FindAsync("resp_bg", "key-a", Ct);
        var otherKey = store.FindAsync("resp_bg", "key-b", Ct);
        Assert.False(find.IsCompleted);
        release.Set();
        Assert.Equal("""{"id":"resp_bg"}""", (await find)!.Json);
        Assert.Null(await otherKey);
        Assert.True(await store.DeleteAsync("resp_bg", "key-a", Ct));
    }

    [Fact]
    public async Task Responses_still_being_kept_when_the_router_stops_are_written_and_one_not_made_by_the_router_is_not()
    {
        var store = Store();
        var release = new ManualResetEventSlim();
        store.Keep("resp_late", "key-a", () =>
        {
            release.Wait(Ct);
            return new StoredResponse("""{"id":"resp_late"}""", Conversation);
        });
        store.Keep("resp_native", "key-a", () => null);

        var disposed = store.DisposeAsync().AsTask();
        Assert.False(disposed.IsCompleted);
        release.Set();
        await disposed;
        Assert.Equal("""{"id":"resp_late"}""", (await Store().FindAsync("resp_late", "key-a", Ct))!.Json);
        Assert.Null(await Store().FindAsync("resp_native", "key-a", Ct));
    }
}

public sealed class SqliteResponseStoreTests : ResponseStoreTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());
}

public sealed class PostgresResponseStoreTests(PostgresFixture postgres) : ResponseStoreTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);
}
