using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Router.Host.Cluster;
using Router.Tests.Shared;

namespace Router.Host.Tests.Cluster;

/// <summary>What a peer's certificate must be to be let onto the pair's remoting: the pair's CA's, or pinned.</summary>
public sealed class PeerCertificateCheckTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "router-peer-check-" + Guid.NewGuid().ToString("N"));
    private readonly X509Certificate2 _ca, _member, _stranger, _strangerCa;

    public PeerCertificateCheckTests()
    {
        var pair = PairCertificates.Make(Path.Combine(_directory, "pair"), [new("node-a", []), new("node-b", [])], TimeSpan.FromDays(30), TimeProvider.System);
        var other = PairCertificates.Make(Path.Combine(_directory, "other"), [new("node-a", [])], TimeSpan.FromDays(30), TimeProvider.System);
        _ca = X509CertificateLoader.LoadCertificateFromFile(pair.Ca.CertificatePath);
        _member = X509CertificateLoader.LoadCertificateFromFile(pair.Nodes[1].CertificatePath);
        _strangerCa = X509CertificateLoader.LoadCertificateFromFile(other.Ca.CertificatePath);
        _stranger = X509CertificateLoader.LoadCertificateFromFile(other.Nodes[0].CertificatePath);
    }

    public void Dispose()
    {
        foreach (var certificate in new[] { _ca, _member, _stranger, _strangerCa }) certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private PeerCertificateCheck ByCa(TimeProvider? time = null) => new([_ca], new HashSet<string>(), time ?? TimeProvider.System);

    private static PeerCertificateCheck ByPins(params X509Certificate2[] pinned) =>
        new([], pinned.Select(c => c.GetCertHashString(HashAlgorithmName.SHA256)).ToHashSet(), TimeProvider.System);

    [Fact]
    public void A_certificate_the_pairs_CA_signed_is_accepted()
    {
        Assert.Null(ByCa().Refusal(_member, null));
    }

    [Fact]
    public void A_certificate_of_another_CA_is_refused_even_with_the_same_subject_and_with_its_CA_sent_along()
    {
        using var handshake = new X509Chain();
        handshake.ChainPolicy.ExtraStore.Add(_strangerCa);
        handshake.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        handshake.ChainPolicy.CustomTrustStore.Add(_strangerCa);
        handshake.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(handshake.Build(_stranger));

        var refusal = ByCa().Refusal(_stranger, handshake);

        Assert.NotNull(refusal);
        Assert.Contains("CN=node-a", refusal, StringComparison.Ordinal);
        Assert.Contains("not signed by the pair's CA", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_that_presents_no_certificate_is_refused() =>
        Assert.Contains("no certificate", ByCa().Refusal(null, null), StringComparison.Ordinal);

    [Fact]
    public void A_certificate_of_the_CA_is_refused_once_it_has_expired()
    {
        var later = new ManualClock();
        later.Advance(_member.NotAfter.ToUniversalTime() - later.GetUtcNow().UtcDateTime + TimeSpan.FromDays(1));

        Assert.NotNull(ByCa(later).Refusal(_member, null));
    }

    [Fact]
    public void With_pinned_fingerprints_only_those_certificates_are_accepted()
    {
        var check = ByPins(_member);

        Assert.Null(check.Refusal(_member, null));
        Assert.Contains("peer-thumbprints", check.Refusal(_stranger, null), StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_CA_and_pins_a_certificate_must_pass_both()
    {
        var check = new PeerCertificateCheck([_ca], new HashSet<string> { _stranger.GetCertHashString(HashAlgorithmName.SHA256) }, TimeProvider.System);

        Assert.NotNull(check.Refusal(_member, null)); // the CA's, not pinned
        Assert.NotNull(check.Refusal(_stranger, null)); // pinned, not the CA's
    }

    [Theory]
    [InlineData("ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    public void A_fingerprint_is_read_as_openssl_or_dotnet_writes_it(string text) =>
        Assert.Equal("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789", RemotingCertificates.NormalizedThumbprint(text));
}
