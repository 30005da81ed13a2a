using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Storage;

namespace Router.Host.Tests.Configuration;

/// <summary><c>router.storage</c>: SQLite by default, PostgreSQL with a connection string whose password is never shown.</summary>
public sealed class StorageSettingsTests
{
    private const string Password = "pw-5ecret-never-shown";
    private const string Postgres = $"Host=10.0.0.10;Port=5433;Database=router;Username=router;Password={Password}";

    private static RouterSettings Shipped(params (string Name, string Value)[] environment)
    {
        var map = environment.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        var hocon = HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), map.GetValueOrDefault);
        return RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));
    }

    private static RouterSettings Read(string hocon) => RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));

    private static string ErrorOf(string hocon) => Assert.Throws<ConfigException>(() => Read(hocon)).Message;

    [Fact]
    public void The_shipped_default_is_sqlite_in_the_data_directory()
    {
        var settings = Shipped();

        Assert.Equal(StorageSettings.Standard, settings.Storage);
        Assert.Equal($"SQLite in {settings.DataDir}", RouterStorage.Describe(settings));
    }

    [Fact]
    public void The_connection_string_comes_from_ROUTER_STORAGE_CONNECTION_STRING()
    {
        var settings = Shipped(("ROUTER_STORAGE_CONNECTION_STRING", Postgres));

        Assert.Equal(Postgres, settings.Storage.ConnectionString);
        Assert.Equal(StorageProvider.Sqlite, settings.Storage.Provider); // the provider is chosen in the file
    }

    [Fact]
    public void Postgres_is_described_by_host_and_database_and_never_shows_its_password()
    {
        var settings = Read($$"""router.storage { provider = postgres, connection-string = "{{Postgres}}" }""");

        Assert.Equal(new StorageSettings(StorageProvider.Postgres, Postgres), settings.Storage);
        Assert.Equal("PostgreSQL at 10.0.0.10:5433, database router", RouterStorage.Describe(settings));
        Assert.DoesNotContain(Password, settings.Storage.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_without_a_connection_string_names_the_key()
    {
        var message = ErrorOf("router.storage.provider = postgres");

        Assert.Contains("router.storage.connection-string", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_names_the_key() =>
        Assert.Contains("router.storage.provider 'mysql'", ErrorOf("router.storage.provider = mysql"), StringComparison.Ordinal);

    [Theory]
    [InlineData($"Hots=10.0.0.10;Password={Password}")]
    [InlineData($"Database=router;Password={Password}")]
    public void A_connection_string_postgres_cannot_use_names_the_key_without_repeating_the_password(string connectionString)
    {
        var message = ErrorOf($$"""router.storage { provider = postgres, connection-string = "{{connectionString}}" }""");

        Assert.Contains("router.storage.connection-string", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, message, StringComparison.Ordinal);
    }
}
