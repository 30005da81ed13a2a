using System.Text.Json;
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

    [Fact]
    public async Task A_response_is_its_keys_own_until_it_expires()
    {
        var clock = new ManualClock();
        var store = new ResponseStore(Storage, clock, TimeSpan.FromDays(30));
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
        var store = new ResponseStore(Storage, TimeProvider.System, TimeSpan.FromDays(1));
        await store.SaveAsync("resp_same", "key-a", """{"n":1}""", Conversation, Ct);
        await store.SaveAsync("resp_same", "key-b", """{"n":2}""", Conversation, Ct);
        await store.SaveAsync("resp_same", "key-a", """{"n":3}""", [], Ct);

        Assert.Equal("""{"n":3}""", (await store.FindAsync("resp_same", "key-a", Ct))!.Json);
        Assert.Equal("""{"n":2}""", (await store.FindAsync("resp_same", "key-b", Ct))!.Json);
        Assert.True(await store.DeleteAsync("resp_same", "key-a", Ct));
        Assert.Null(await store.FindAsync("resp_same", "key-a", Ct));
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
