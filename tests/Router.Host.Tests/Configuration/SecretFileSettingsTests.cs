using System.Runtime.Versioning;
using Akka.Configuration;
using Npgsql;
using Router.Contracts.Configuration;
using Router.Host.Admin;
using Router.Host.Configuration;
using Router.Host.Storage;

namespace Router.Host.Tests.Configuration;

/// <summary>
/// Secrets kept in files of their own: a provider's <c>api-key-file</c>, the storage's <c>password-file</c>; and
/// the master key's shortest length. A file others may read is refused with the way to fix it; no error repeats a secret.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SecretFileSettingsTests : IDisposable
{
    private const string ProviderKey = "sk-from-a-file-3c9e1f7a2b5d8e4c";
    private const string Password = "pg-pw-from-a-file-7b2d4f6a";
    private readonly string _dir = Directory.CreateTempSubdirectory("router-secret-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RouterSettings Read(string hocon) => RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));

    private static string ErrorOf(string hocon) => Assert.Throws<ConfigException>(() => Read(hocon)).Message;

    private string SecretFile(string name, string content, UnixFileMode mode)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static string Provider(string keys) =>
        $$"""router.providers.p { type = openai, api-base = "https://x/v1", {{keys}} }""";

    [Fact]
    public void A_providers_key_is_the_trimmed_content_of_its_api_key_file_and_stays_masked()
    {
        var path = SecretFile("openai.key", $"  {ProviderKey}\n", OwnerOnly);

        var settings = Read(Provider($"api-key-file = \"{path}\""));

        var provider = Assert.Single(settings.Providers);
        Assert.Equal(ProviderKey, provider.ApiKey);
        Assert.Equal(path, provider.ApiKeyFile);
        Assert.True(provider.IsUsable);
        Assert.Empty(settings.Warnings); // api-key-file is a known key
        var view = ConfigView.Of(settings).ToJsonString();
        Assert.DoesNotContain(ProviderKey, view, StringComparison.Ordinal);
        Assert.Contains(path, view, StringComparison.Ordinal);
        Assert.DoesNotContain(ProviderKey, provider.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_others_may_read_is_refused_with_its_path_mode_and_the_fix()
    {
        var path = SecretFile("loose.key", ProviderKey, WorldReadable);

        var message = ErrorOf(Provider($"api-key-file = \"{path}\""));

        Assert.Contains("router.providers.p.api-key-file", message, StringComparison.Ordinal);
        Assert.Contains(path, message, StringComparison.Ordinal);
        Assert.Contains("0644", message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {path}", message, StringComparison.Ordinal);
        Assert.DoesNotContain(ProviderKey, message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_its_group_may_write_is_refused_too()
    {
        var path = SecretFile("group.key", ProviderKey, OwnerOnly | UnixFileMode.GroupWrite);

        Assert.Contains("0620", ErrorOf(Provider($"api-key-file = \"{path}\"")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_empty_key_file_is_refused_with_its_path()
    {
        var missing = Path.Combine(_dir, "nowhere.key");
        var empty = SecretFile("empty.key", "\n", OwnerOnly);

        var missingError = ErrorOf(Provider($"api-key-file = \"{missing}\""));
        var emptyError = ErrorOf(Provider($"api-key-file = \"{empty}\""));

        Assert.Contains($"router.providers.p.api-key-file: {missing} does not exist", missingError, StringComparison.Ordinal);
        Assert.Contains($"{empty} is empty", emptyError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_provider_with_both_api_key_and_api_key_file_is_refused()
    {
        var path = SecretFile("both.key", ProviderKey, OwnerOnly);

        var message = ErrorOf(Provider($"api-key = \"sk-inline-1234\", api-key-file = \"{path}\""));

        Assert.Contains("router.providers.p sets both api-key and api-key-file", message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-inline-1234", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_storage_password_file_is_merged_into_the_connection_string_and_never_shown()
    {
        var path = SecretFile("pg.password", Password + "\n", OwnerOnly);

        var settings = Read($$"""
            router.storage { provider = postgres, password-file = "{{path}}"
              connection-string = "Host=db.lan;Database=router;Username=router;SSL Mode=VerifyFull;Root Certificate=/etc/router/pg-ca.pem" }
            """);

        var builder = new NpgsqlConnectionStringBuilder(settings.Storage.ConnectionString);
        Assert.Equal(Password, builder.Password);
        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.Equal("/etc/router/pg-ca.pem", builder.RootCertificate);
        Assert.Equal(path, settings.Storage.PasswordFile);
        var view = ConfigView.Of(settings).ToJsonString();
        Assert.DoesNotContain(Password, view, StringComparison.Ordinal);
        Assert.Contains("pg-ca.pem", view, StringComparison.Ordinal);
        var described = RouterStorage.Describe(settings);
        Assert.Equal("PostgreSQL at db.lan:5432, database router, over TLS (SSL Mode=VerifyFull)", described);
        Assert.DoesNotContain(Password, settings.Storage.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_file_beside_a_password_in_the_connection_string_is_refused()
    {
        var path = SecretFile("pg.password", Password, OwnerOnly);

        var message = ErrorOf($$"""router.storage { provider = postgres, password-file = "{{path}}", connection-string = "Host=db;Password=inline-pw" }""");

        Assert.Contains("keep one", message, StringComparison.Ordinal);
        Assert.DoesNotContain("inline-pw", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_file_others_may_read_is_refused_and_sqlite_has_no_password()
    {
        var loose = SecretFile("loose.password", Password, WorldReadable);
        var tight = SecretFile("tight.password", Password, OwnerOnly);

        var looseError = ErrorOf($$"""router.storage { provider = postgres, password-file = "{{loose}}", connection-string = "Host=db" }""");
        var sqliteError = ErrorOf($$"""router.storage { provider = sqlite, password-file = "{{tight}}" }""");

        Assert.Contains($"router.storage.password-file: {loose} has mode 0644", looseError, StringComparison.Ordinal);
        Assert.Contains("needs router.storage.provider = postgres", sqliteError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_master_key_shorter_than_32_characters_is_refused_at_reading()
    {
        var message = ErrorOf("""router.master-key = "sk-1234" """);

        Assert.Contains("router.master-key (ROUTER_MASTER_KEY) is refused: it has 7 characters", message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-1234", message, StringComparison.Ordinal);
        Assert.Equal(new string('m', 32), Read($"router.master-key = \"{new string('m', 32)}\"").MasterKey);
    }
}
