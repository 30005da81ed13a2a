using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class MasterKeyStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("router-master-key-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private const string Configured = "sk-configured-9f1c3e5a7b2d4f6a8c0e";
    private const string HandWritten = "sk-hand-written-4d2b8f6a1c3e5a7b9d0f";

    private string DataDir => Path.Combine(_root, "data");

    [Fact]
    public void A_configured_key_wins_and_nothing_is_written()
    {
        var resolution = MasterKeyStore.Resolve(Configured, DataDir);

        Assert.Equal(new MasterKeyStore.Resolution(Configured, null, null), resolution);
        Assert.False(File.Exists(Path.Combine(DataDir, MasterKeyStore.FileName)));
    }

    [Fact]
    public void A_configured_key_wins_over_a_stored_one()
    {
        MasterKeyStore.Resolve(null, DataDir);

        Assert.Equal(Configured, MasterKeyStore.Resolve(Configured, DataDir).Key);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_a_configured_key_one_is_generated_into_the_data_dir(string? configured)
    {
        var resolution = MasterKeyStore.Resolve(configured, DataDir);

        var path = Path.Combine(DataDir, MasterKeyStore.FileName);
        Assert.Equal(path, resolution.GeneratedAt);
        Assert.Null(resolution.LoadedFrom);
        Assert.StartsWith("sk-router-", resolution.Key, StringComparison.Ordinal);
        Assert.True(resolution.Key.Length >= 40, resolution.Key);
        Assert.Equal(resolution.Key, File.ReadAllText(path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_generated_key_file_is_readable_by_its_owner_only()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only");

        var path = MasterKeyStore.Resolve(null, DataDir).GeneratedAt!;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void The_next_start_loads_the_same_key()
    {
        var first = MasterKeyStore.Resolve(null, DataDir);

        var second = MasterKeyStore.Resolve(null, DataDir);

        Assert.Equal(first.Key, second.Key);
        Assert.Null(second.GeneratedAt);
        Assert.Equal(first.GeneratedAt, second.LoadedFrom);
    }

    [Fact]
    public void Every_data_dir_gets_its_own_key()
    {
        var a = MasterKeyStore.Resolve(null, Path.Combine(_root, "a")).Key;
        var b = MasterKeyStore.Resolve(null, Path.Combine(_root, "b")).Key;

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_stored_key_is_read_without_surrounding_whitespace()
    {
        Directory.CreateDirectory(DataDir);
        File.WriteAllText(Path.Combine(DataDir, MasterKeyStore.FileName), "  " + HandWritten + "\n");

        var resolution = MasterKeyStore.Resolve(null, DataDir);

        Assert.Equal(HandWritten, resolution.Key);
        Assert.Null(resolution.GeneratedAt);
    }

    [Fact]
    public void An_empty_stored_file_is_replaced_by_a_generated_key()
    {
        Directory.CreateDirectory(DataDir);
        File.WriteAllText(Path.Combine(DataDir, MasterKeyStore.FileName), "\n");

        var resolution = MasterKeyStore.Resolve(null, DataDir);

        Assert.NotNull(resolution.GeneratedAt);
        Assert.Equal(resolution.Key, MasterKeyStore.Resolve(null, DataDir).Key);
    }

    [Fact]
    public void A_configured_key_shorter_than_32_characters_is_refused_without_being_repeated()
    {
        var error = Assert.Throws<ConfigException>(() => MasterKeyStore.Resolve("sk-short-but-not-enough-1234567", DataDir));

        Assert.Contains("router.master-key", error.Message, StringComparison.Ordinal);
        Assert.Contains("31 characters", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-short", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(DataDir, MasterKeyStore.FileName)));
    }

    [Fact]
    public void A_key_of_exactly_32_characters_is_taken()
    {
        var key = new string('k', MasterKeyStore.MinimumLength);

        Assert.Equal(key, MasterKeyStore.Resolve(key, DataDir).Key);
    }

    [Fact]
    public void A_short_key_written_into_the_data_dir_by_hand_is_refused_with_the_file_named()
    {
        Directory.CreateDirectory(DataDir);
        var path = Path.Combine(DataDir, MasterKeyStore.FileName);
        File.WriteAllText(path, "sk-hand-written\n");

        var error = Assert.Throws<ConfigException>(() => MasterKeyStore.Resolve(null, DataDir));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-hand-written", error.Message, StringComparison.Ordinal);
    }
}
