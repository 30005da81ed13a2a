using Router.Host.Auth;
using Router.Host.Keys;
using Router.Tests.Shared;
using Router.Host.Tests.Storage;

namespace Router.Host.Tests.Keys;

/// <summary>The key directory against SQLite and PostgreSQL (the subclasses below): the same answers from both.</summary>
public abstract class KeyDirectoryTests : StorageTests
{
    private static readonly DateTimeOffset Created = new(2026, 2, 3, 4, 5, 6, 789, TimeSpan.Zero);

    private static KeyEntry Entry(string id, string hash, string? alias = null, DateTimeOffset? created = null) =>
        new(id, hash, "sk-…" + hash[..4], alias, created ?? Created);

    [Fact]
    public void An_added_key_is_found_by_hash_id_and_alias_as_it_was_written()
    {
        var directory = new KeyDirectory(Storage, TimeProvider.System);
        var entry = Entry("key_0000000000000001", "hash-one", "team-a");

        Assert.True(directory.Add(entry));

        Assert.Equal(entry, directory.FindByHash("hash-one"));
        // A second directory reads the table, not the first one's cache: what another node sees.
        var other = new KeyDirectory(Storage, TimeProvider.System);
        Assert.Equal(entry, other.FindByHash("hash-one"));
        Assert.Equal(entry, other.FindById("key_0000000000000001"));
        Assert.Equal(entry, other.FindByAlias("team-a"));
        Assert.Null(other.FindByAlias("team-b"));
    }

    [Fact]
    public void A_taken_id_hash_or_alias_is_refused_and_the_first_key_stays()
    {
        var directory = new KeyDirectory(Storage, TimeProvider.System);
        var first = Entry("key_0000000000000001", "hash-one", "team-a");
        Assert.True(directory.Add(first));

        Assert.False(directory.Add(Entry("key_0000000000000001", "hash-two")));
        Assert.False(directory.Add(Entry("key_0000000000000002", "hash-one")));
        Assert.False(directory.Add(Entry("key_0000000000000002", "hash-two", "team-a")));
        Assert.True(directory.Add(Entry("key_0000000000000002", "hash-two")));
        Assert.False(directory.SetAlias("key_0000000000000002", "team-a"));
        Assert.False(directory.Rehash("key_0000000000000002", "hash-one", "sk-…x"));

        Assert.Equal(first, new KeyDirectory(Storage, TimeProvider.System).FindById("key_0000000000000001"));
        Assert.Null(directory.FindById("key_0000000000000002")!.Alias);
    }

    [Fact]
    public void A_rehashed_key_is_no_longer_found_by_its_old_hash_and_a_removed_key_not_at_all()
    {
        var directory = new KeyDirectory(Storage, TimeProvider.System);
        Assert.True(directory.Add(Entry("key_0000000000000001", "hash-old", "team-a")));
        Assert.NotNull(directory.FindByHash("hash-old"));

        Assert.True(directory.Rehash("key_0000000000000001", "hash-new", "sk-…new"));
        Assert.Null(directory.FindByHash("hash-old"));
        Assert.Equal("sk-…new", directory.FindByHash("hash-new")!.DisplayPrefix);
        Assert.True(directory.SetAlias("key_0000000000000001", null));
        Assert.Null(directory.FindByAlias("team-a"));

        directory.Remove("key_0000000000000001");
        Assert.Null(directory.FindByHash("hash-new"));
        Assert.Null(new KeyDirectory(Storage, TimeProvider.System).FindById("key_0000000000000001"));
    }

    [Fact]
    public void A_refresh_drops_what_the_other_node_removed_or_rehashed_and_takes_what_it_added()
    {
        var node = new KeyDirectory(Storage, TimeProvider.System);
        var other = new KeyDirectory(Storage, TimeProvider.System);
        Assert.True(other.Add(Entry("key_0000000000000001", "hash-removed")));
        Assert.True(other.Add(Entry("key_0000000000000002", "hash-old")));
        Assert.True(node.Load());
        Assert.Equal(2, node.IndexedKeys);

        other.Remove("key_0000000000000001");
        Assert.True(other.Rehash("key_0000000000000002", "hash-new", "sk-…new"));
        Assert.True(other.Add(Entry("key_0000000000000003", "hash-added")));
        // Until it refreshes, this node still holds what it loaded (its key actors refuse such keys meanwhile).
        Assert.NotNull(node.FindByHash("hash-removed"));
        Assert.NotNull(node.FindByHash("hash-old"));

        node.Refresh();
        // Replaced, not merged: the removed key and the old hash are gone from it.
        Assert.Equal(2, node.IndexedKeys);
        Assert.Null(node.FindByHash("hash-removed"));
        Assert.Null(node.FindByHash("hash-old"));
        Assert.Equal("key_0000000000000002", node.FindKeyId("hash-new"));
    }

    [Fact]
    public void A_virtual_key_authenticates_from_the_index_and_one_made_on_the_other_node_from_the_table()
    {
        var node = new KeyDirectory(Storage, TimeProvider.System);
        var other = new KeyDirectory(Storage, TimeProvider.System);
        var authenticator = new KeyAuthenticator("sk-master-0123456789abcdef0123456789", node);
        var (here, there) = (KeySecrets.NewSecret(), KeySecrets.NewSecret());
        Assert.True(node.Add(new KeyEntry("key_0000000000000001", KeySecrets.Hash(here), KeySecrets.DisplayPrefix(here), "here", Created)));
        Assert.True(other.Add(new KeyEntry("key_0000000000000002", KeySecrets.Hash(there), KeySecrets.DisplayPrefix(there), null, Created)));

        var fromIndex = authenticator.Authenticate(new Microsoft.Extensions.Primitives.StringValues("Bearer " + here));
        Assert.Equal(new AuthenticatedKey("key_0000000000000001", KeySecrets.DisplayPrefix(here), KeySecrets.Hash(here), "here"), fromIndex);
        Assert.Null(node.FindInIndex(KeySecrets.Hash(there)));
        var fromTable = authenticator.Authenticate(new Microsoft.Extensions.Primitives.StringValues("Bearer " + there));
        Assert.Equal(new AuthenticatedKey("key_0000000000000002", KeySecrets.DisplayPrefix(there), KeySecrets.Hash(there)), fromTable);
        Assert.NotNull(node.FindInIndex(KeySecrets.Hash(there))); // found in the table, then kept in the index
        Assert.Null(authenticator.Authenticate(new Microsoft.Extensions.Primitives.StringValues("Bearer " + KeySecrets.NewSecret())));
    }

    [Fact]
    public void The_list_is_oldest_first()
    {
        var directory = new KeyDirectory(Storage, TimeProvider.System);
        Assert.True(directory.Add(Entry("key_0000000000000003", "hash-c", created: Created.AddDays(1))));
        Assert.True(directory.Add(Entry("key_0000000000000001", "hash-a", created: Created.AddDays(2))));
        Assert.True(directory.Add(Entry("key_0000000000000002", "hash-b", created: Created)));

        Assert.Equal(["key_0000000000000002", "key_0000000000000003", "key_0000000000000001"], directory.List().Select(k => k.KeyId));
    }

    [Fact]
    public void A_hash_not_found_is_remembered_for_a_minute_then_read_again()
    {
        var clock = new ManualClock();
        var directory = new KeyDirectory(Storage, clock);
        Assert.Null(directory.FindByHash("hash-late"));

        // Added by another node: this one keeps its miss until the interval ends.
        Assert.True(new KeyDirectory(Storage, TimeProvider.System).Add(Entry("key_0000000000000001", "hash-late")));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(directory.FindByHash("hash-late"));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("key_0000000000000001", directory.FindKeyId("hash-late"));
    }

    [Fact]
    public void A_flood_of_distinct_wrong_keys_is_remembered_only_up_to_the_bound_and_the_latest_still_cost_no_query()
    {
        var directory = new KeyDirectory(Storage, new ManualClock());
        for (var i = 0; i <= KeyDirectory.MaxNegative; i++) Assert.Null(directory.FindByHash($"flood-{i}"));

        Assert.InRange(directory.RememberedMisses, 1, KeyDirectory.MaxNegative);
        // The misses just before the bound was passed are still remembered (not all wiped to make room): added
        // elsewhere now, such a key is not read again within the minute.
        var recent = $"flood-{KeyDirectory.MaxNegative - 1}";
        Assert.True(new KeyDirectory(Storage, TimeProvider.System).Add(Entry("key_0000000000000001", recent)));
        Assert.Null(directory.FindByHash(recent));
    }
}

public sealed class SqliteKeyDirectoryTests : KeyDirectoryTests
{
    protected override Task<FreshStorage> CreateStorageAsync() => Task.FromResult(FreshStorage.Sqlite());
}

public sealed class PostgresKeyDirectoryTests(PostgresFixture postgres) : KeyDirectoryTests, IClassFixture<PostgresFixture>
{
    protected override Task<FreshStorage> CreateStorageAsync() => FreshStorage.PostgresAsync(postgres);
}
