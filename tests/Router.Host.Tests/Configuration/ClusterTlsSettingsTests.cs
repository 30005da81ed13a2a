using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Admin;
using Router.Host.Cluster;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary><c>router.cluster.tls</c>: read, its files checked at start with the setting at fault named, its password never shown.</summary>
public sealed class ClusterTlsSettingsTests : IDisposable
{
    private const string Pair = """
        router.storage { provider = postgres, connection-string = "Host=db;Database=router;Username=r;Password=p" }
        router.cluster { enabled = true, hostname = "10.0.0.11", seed-nodes = ["10.0.0.11:4053", "10.0.0.12:4053"] }
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "router-tls-settings-" + Guid.NewGuid().ToString("N"));
    private readonly PairCertificates.Result _made;

    public ClusterTlsSettingsTests() =>
        _made = PairCertificates.Make(_directory, [new("node-a", []), new("node-b", [])], TimeSpan.FromDays(30), TimeProvider.System);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string NodeA => $"certificate = \"{_made.Nodes[0].CertificatePath}\", key = \"{_made.Nodes[0].KeyPath}\"";

    private static RouterSettings Read(string tls) =>
        RouterSettingsReader.Read(ConfigurationFactory.ParseString(Pair + "\nrouter.cluster.tls { " + tls + " }")
            .WithFallback(HoconConfigLoader.LoadRouterConfig(null)));

    private static string Refusal(string tls) => Assert.Throws<ConfigException>(() => Read(tls)).Message;

    [Fact]
    public void Without_a_certificate_the_remoting_is_cleartext()
    {
        var cluster = Read("").Cluster;

        Assert.Null(cluster.Tls);
        Assert.Equal("akka.tcp://router@10.0.0.12:4053", cluster.AkkaAddress("10.0.0.12:4053"));
    }

    [Fact]
    public void A_certificate_key_and_CA_turn_TLS_on_and_member_addresses_become_akka_ssl_tcp()
    {
        var settings = Read($"{NodeA}, ca = \"{_made.Ca.CertificatePath}\"");

        var tls = Assert.IsType<ClusterTlsSettings>(settings.Cluster.Tls);
        Assert.Equal((_made.Nodes[0].CertificatePath, _made.Nodes[0].KeyPath, _made.Ca.CertificatePath), (tls.CertificatePath, tls.KeyPath, tls.CaPath));
        Assert.Empty(settings.Warnings);
        Assert.Equal("akka.ssl.tcp://router@10.0.0.12:4053", settings.Cluster.AkkaAddress("10.0.0.12:4053"));
        Assert.Equal("akka.ssl.tcp://router@10.0.0.12:4053", ClusterAdmin.Parse("10.0.0.12:4053", settings.Cluster.Protocol).ToString());
    }

    [Fact]
    public void Pinned_fingerprints_alone_are_enough_and_are_kept_as_written()
    {
        var pin = string.Join(':', Enumerable.Range(0, 32).Select(i => _made.Nodes[1].Sha256.Substring(i * 2, 2)));

        var tls = Read($"{NodeA}, peer-thumbprints = [\"{pin}\"]").Cluster.Tls!;

        Assert.Equal([pin], tls.PeerThumbprints);
        Assert.Null(tls.CaPath);
    }

    [Fact]
    public void The_same_settings_read_again_are_no_change_for_a_reload_and_another_pin_is()
    {
        var pins = $"peer-thumbprints = [\"{_made.Nodes[1].Sha256}\"]";

        Assert.Equal(Read($"{NodeA}, {pins}").Cluster.Tls, Read($"{NodeA}, {pins}").Cluster.Tls);
        Assert.NotEqual(Read($"{NodeA}, {pins}").Cluster.Tls, Read($"{NodeA}, peer-thumbprints = [\"{_made.Nodes[0].Sha256}\"]").Cluster.Tls);
    }

    [Fact]
    public void A_certificate_checked_against_nothing_is_refused() =>
        Assert.Contains("neither router.cluster.tls.ca nor router.cluster.tls.peer-thumbprints", Refusal(NodeA), StringComparison.Ordinal);

    [Theory]
    [InlineData("certificate", "router.cluster.tls.certificate")]
    [InlineData("key", "router.cluster.tls.key")]
    [InlineData("ca", "router.cluster.tls.ca")]
    public void A_missing_file_names_its_setting(string setting, string named)
    {
        var files = new Dictionary<string, string>
        {
            ["certificate"] = _made.Nodes[0].CertificatePath,
            ["key"] = _made.Nodes[0].KeyPath,
            ["ca"] = _made.Ca.CertificatePath,
        };
        files[setting] = Path.Combine(_directory, "missing.pem");

        var message = Refusal(string.Join(", ", files.Select(f => $"{f.Key} = \"{f.Value}\"")));

        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Contains("missing.pem does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_key_every_user_can_read_is_refused_with_the_fix()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only");
        File.SetUnixFileMode(_made.Nodes[0].KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var message = Refusal($"{NodeA}, ca = \"{_made.Ca.CertificatePath}\"");

        Assert.Contains("router.cluster.tls.key", message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_nodes_key_or_no_key_is_refused_naming_the_setting()
    {
        var wrongKey = Refusal($"certificate = \"{_made.Nodes[0].CertificatePath}\", key = \"{_made.Nodes[1].KeyPath}\", ca = \"{_made.Ca.CertificatePath}\"");
        var noKey = Refusal($"certificate = \"{_made.Nodes[0].CertificatePath}\", ca = \"{_made.Ca.CertificatePath}\"");

        Assert.Contains("router.cluster.tls.key", wrongKey, StringComparison.Ordinal);
        Assert.Contains("is not the private key of router.cluster.tls.certificate", wrongKey, StringComparison.Ordinal);
        Assert.Contains("holds no private key: name the key's file in router.cluster.tls.key", noKey, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_the_named_CA_did_not_sign_is_refused_at_start_as_the_peer_would_refuse_it()
    {
        var other = PairCertificates.Make(Path.Combine(_directory, "other"), [new("x", [])], TimeSpan.FromDays(30), TimeProvider.System);

        var message = Refusal($"{NodeA}, ca = \"{other.Ca.CertificatePath}\"");

        Assert.Contains("is not signed by router.cluster.tls.ca", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ca")]
    [InlineData("key")]
    public void A_setting_of_TLS_without_a_certificate_is_refused(string setting) =>
        Assert.Contains($"router.cluster.tls.{setting} is set but router.cluster.tls.certificate is not",
            Refusal($"{setting} = \"{_made.Ca.CertificatePath}\""), StringComparison.Ordinal);

    [Fact]
    public void A_fingerprint_that_is_not_one_is_refused() =>
        Assert.Contains("router.cluster.tls.peer-thumbprints: 'node-b'", Refusal($"{NodeA}, peer-thumbprints = [\"node-b\"]"), StringComparison.Ordinal);

    [Fact]
    public void The_password_comes_from_its_file_and_is_never_shown()
    {
        var file = Path.Combine(_directory, "password");
        File.WriteAllText(file, "s3cret-tls-password\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var settings = Read($"{NodeA}, ca = \"{_made.Ca.CertificatePath}\", password-file = \"{file}\"");

        Assert.Equal("s3cret-tls-password", settings.Cluster.Tls!.Password);
        Assert.DoesNotContain("s3cret", settings.Cluster.ToString(), StringComparison.Ordinal);
        var view = ConfigView.Of(settings).ToJsonString();
        Assert.DoesNotContain("s3cret", view, StringComparison.Ordinal);
        Assert.Contains("\"password\":\"********\"", view, StringComparison.Ordinal);
        Assert.Contains("both set", Refusal($"{NodeA}, ca = \"{_made.Ca.CertificatePath}\", password-file = \"{file}\", password = \"x\""),
            StringComparison.Ordinal);
    }

    [Fact]
    public void An_encrypted_key_opens_with_its_password_and_not_without()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(_made.Nodes[0].KeyPath));
        var encrypted = Path.Combine(_directory, "encrypted.key");
        File.WriteAllText(encrypted, key.ExportEncryptedPkcs8PrivateKeyPem("open-sesame",
            new System.Security.Cryptography.PbeParameters(System.Security.Cryptography.PbeEncryptionAlgorithm.Aes256Cbc,
                System.Security.Cryptography.HashAlgorithmName.SHA256, 100_000)));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(encrypted, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var files = $"certificate = \"{_made.Nodes[0].CertificatePath}\", key = \"{encrypted}\", ca = \"{_made.Ca.CertificatePath}\"";

        Assert.NotNull(Read(files + ", password = \"open-sesame\"").Cluster.Tls);
        var refusal = Refusal(files);
        Assert.Contains("router.cluster.tls.password", refusal, StringComparison.Ordinal);
        var wrong = Refusal(files + ", password = \"pa55-not-this-one\"");
        Assert.Contains("router.cluster.tls.password does not open it", wrong, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55-not-this-one", wrong, StringComparison.Ordinal);
    }
}
