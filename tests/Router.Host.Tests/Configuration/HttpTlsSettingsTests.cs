using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Admin;
using Router.Host.Configuration;
using Router.MockUpstream;

namespace Router.Host.Tests.Configuration;

/// <summary>
/// <c>router.http.tls</c>: read with the addresses it must agree with, and its files opened as at start, every
/// failure naming the setting at fault and never the password.
/// </summary>
public sealed class HttpTlsSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("router-tls-").FullName;
    private readonly ServerCertificateFiles _files;

    public HttpTlsSettingsTests() => _files = ServerCertificateFiles.Create(_directory);

    private static RouterSettings Read(string hocon) => RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));

    private static string ErrorOf(string hocon) => Assert.Throws<ConfigException>(() => Read(hocon)).Message;

    private static string LoadError(HttpTlsSettings tls) => Assert.Throws<ConfigException>(() => TlsCertificateFile.Load(tls)).Message;

    [Fact]
    public void Without_a_certificate_the_router_serves_plain_http()
    {
        var shipped = RouterSettingsReader.Read(ConfigurationFactory.ParseString(
            HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), _ => null)));

        Assert.Null(shipped.HttpTls);
        Assert.Empty(shipped.Warnings);
    }

    [Fact]
    public void A_certificate_and_key_are_read_with_https_addresses()
    {
        var settings = Read($$"""router.http { urls = "https://127.0.0.1:4443", tls { certificate = "{{_files.CertificatePem}}", key = "{{_files.KeyPem}}" } }""");

        Assert.Equal(new HttpTlsSettings(_files.CertificatePem, _files.KeyPem, null), settings.HttpTls);
        Assert.Empty(settings.Warnings);
    }

    [Fact]
    public void Addresses_and_certificate_must_agree()
    {
        Assert.Contains("router.http.tls.certificate is not set",
            ErrorOf("""router.http.urls = "https://127.0.0.1:4443" """), StringComparison.Ordinal);
        var plain = ErrorOf($$"""router.http { urls = "https://127.0.0.1:4443;http://127.0.0.1:4000", tls.certificate = "{{_files.CertificatePem}}" }""");
        Assert.Contains("http://127.0.0.1:4000", plain, StringComparison.Ordinal);
        Assert.Contains("every address must be https://", plain, StringComparison.Ordinal);
        Assert.Contains("router.http.tls.certificate is not",
            ErrorOf($$"""router.http.tls.key = "{{_files.KeyPem}}" """), StringComparison.Ordinal);
        Assert.Contains("router.http.tls.key must be empty",
            ErrorOf($$"""router.http { urls = "https://127.0.0.1:4443", tls { certificate = "{{_files.Bundle}}", key = "{{_files.KeyPem}}" } }"""),
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_password_is_masked_in_the_config_view_and_never_printed()
    {
        var settings = Read($$"""
            router.http { urls = "https://127.0.0.1:4443", tls { certificate = "{{_files.Bundle}}", password = "{{ServerCertificateFiles.BundlePassword}}" } }
            """);

        var view = ConfigView.Of(settings)["http"]!["tls"]!;
        Assert.Equal(_files.Bundle, view["certificate"]!.GetValue<string>());
        Assert.Equal(ConfigView.Mask, view["password"]!.GetValue<string>());
        Assert.DoesNotContain(ServerCertificateFiles.BundlePassword, ConfigView.Of(settings).ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ServerCertificateFiles.BundlePassword, settings.HttpTls!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pem_pair_a_pem_with_its_key_inside_and_a_pkcs12_bundle_all_load()
    {
        using var pair = TlsCertificateFile.Load(new HttpTlsSettings(_files.CertificatePem, _files.KeyPem, null));
        var combined = Path.Combine(_directory, "combined.pem");
        File.WriteAllText(combined, File.ReadAllText(_files.CertificatePem) + "\n" + File.ReadAllText(_files.KeyPem));
        using var oneFile = TlsCertificateFile.Load(new HttpTlsSettings(combined, null, null));
        using var bundle = TlsCertificateFile.Load(new HttpTlsSettings(_files.Bundle, null, ServerCertificateFiles.BundlePassword));

        foreach (var loaded in new[] { pair, oneFile, bundle })
        {
            Assert.True(loaded.HasPrivateKey);
            Assert.Equal(_files.Certificate.Thumbprint, loaded.Thumbprint);
        }
    }

    [Fact]
    public void The_intermediates_of_a_full_chain_or_a_bundle_are_found_and_a_self_signed_certificate_has_none()
    {
        using var chained = ServerCertificateFiles.CreateChained(Path.Combine(_directory, "chained"));
        var pem = new HttpTlsSettings(chained.CertificatePem, chained.KeyPem, null);
        var bundle = new HttpTlsSettings(chained.Bundle, null, ServerCertificateFiles.BundlePassword);
        var selfSigned = new HttpTlsSettings(_files.CertificatePem, _files.KeyPem, null);

        foreach (var tls in new[] { pem, bundle })
        {
            using var leaf = TlsCertificateFile.Load(tls);
            Assert.Equal(chained.Certificate.Thumbprint, leaf.Thumbprint);
            Assert.Equal("CN=router-test-intermediate", Assert.Single(TlsCertificateFile.Intermediates(tls, leaf)).Subject);
        }
        using var alone = TlsCertificateFile.Load(selfSigned);
        Assert.Empty(TlsCertificateFile.Intermediates(selfSigned, alone));
    }

    [Fact]
    public void A_missing_or_unreadable_file_names_its_setting()
    {
        var missing = Path.Combine(_directory, "nope.crt");
        Assert.Equal($"router.http.tls.certificate: {missing} does not exist", LoadError(new HttpTlsSettings(missing, _files.KeyPem, null)));
        Assert.Equal($"router.http.tls.key: {missing} does not exist", LoadError(new HttpTlsSettings(_files.CertificatePem, missing, null)));
        // A directory where the key should be: the file cannot be read, whoever runs the test.
        Assert.StartsWith($"router.http.tls.key: {_directory} cannot be read", LoadError(new HttpTlsSettings(_files.CertificatePem, _directory, null)),
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_another_certificate_is_refused_as_a_mismatch()
    {
        Assert.Equal($"router.http.tls.key: {_files.OtherKeyPem} is not the private key of router.http.tls.certificate {_files.CertificatePem}",
            LoadError(new HttpTlsSettings(_files.CertificatePem, _files.OtherKeyPem, null)));
    }

    [Fact]
    public void Files_of_the_wrong_kind_are_named()
    {
        Assert.Contains("holds no PEM certificate", LoadError(new HttpTlsSettings(_files.KeyPem, _files.KeyPem, null)), StringComparison.Ordinal);
        Assert.Contains("holds no PEM private key", LoadError(new HttpTlsSettings(_files.CertificatePem, _files.CertificatePem, null)), StringComparison.Ordinal);
        Assert.EndsWith("holds no private key: name the key's file in router.http.tls.key", LoadError(new HttpTlsSettings(_files.CertificatePem, null, null)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_with_a_wrong_or_no_password_names_the_password_setting_but_not_the_password()
    {
        const string wrong = "wrong-pass-8d2f6b";
        var withWrong = LoadError(new HttpTlsSettings(_files.Bundle, null, wrong));
        Assert.Contains("router.http.tls.password", withWrong, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, withWrong, StringComparison.Ordinal);
        Assert.Contains("set router.http.tls.password", LoadError(new HttpTlsSettings(_files.Bundle, null, null)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_encrypted_pem_key_opens_with_the_password_only()
    {
        var encrypted = Path.Combine(_directory, "encrypted.key");
        using var key = _files.Certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(encrypted, key.ExportEncryptedPkcs8PrivateKeyPem("key-pass-71ac".AsSpan(),
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)));

        using var opened = TlsCertificateFile.Load(new HttpTlsSettings(_files.CertificatePem, encrypted, "key-pass-71ac"));
        Assert.True(opened.HasPrivateKey);
        Assert.EndsWith("is encrypted; set router.http.tls.password", LoadError(new HttpTlsSettings(_files.CertificatePem, encrypted, null)), StringComparison.Ordinal);
        Assert.EndsWith("or router.http.tls.password does not open it", LoadError(new HttpTlsSettings(_files.CertificatePem, encrypted, "nope")),
            StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _files.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
