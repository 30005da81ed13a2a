using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Router.Host.Cli;
using Router.Host.Cluster;

namespace Router.Host.Tests.Cluster;

/// <summary><c>router cluster cert</c>'s certificates: a CA, nodes it signed for TLS both ways, keys only their owner reads.</summary>
public sealed class PairCertificatesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "router-certs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private PairCertificates.Result Make(params PairCertificates.NodeRequest[] nodes) =>
        PairCertificates.Make(_directory, nodes, TimeSpan.FromDays(30), TimeProvider.System);

    private static PairCertificates.NodeRequest Node(string name, params string[] hosts) => new(name, hosts);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_CA_and_each_node_are_written_with_keys_only_their_owner_can_read()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only");
        var result = Make(Node("node-a", "10.0.0.11"), Node("node-b", "10.0.0.12", "router-b.lan"));

        Assert.False(result.CaReused);
        Assert.Equal(["ca.key", "ca.pem", "node-a.key", "node-a.pem", "node-b.key", "node-b.pem"],
            Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var key in Directory.GetFiles(_directory, "*.key"))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        foreach (var certificate in Directory.GetFiles(_directory, "*.pem"))
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(certificate) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
    }

    [Fact]
    public void A_node_certificate_is_signed_by_the_CA_and_serves_as_TLS_server_and_client_for_its_addresses()
    {
        var result = Make(Node("node-b", "10.0.0.12", "router-b.lan"));
        var node = result.Nodes[0];
        using var ca = X509CertificateLoader.LoadCertificateFromFile(result.Ca.CertificatePath);
        using var certificate = X509Certificate2.CreateFromPemFile(node.CertificatePath, node.KeyPath);

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("CN=node-b", certificate.Subject);
        Assert.Equal(ca.Subject, certificate.Issuer);
        Assert.Equal(PairCertificates.Sha256(certificate), node.Sha256);
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], usages);
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["router-b.lan"], names.EnumerateDnsNames());
        Assert.Equal("10.0.0.12", Assert.Single(names.EnumerateIPAddresses()).ToString());
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Null(new PeerCertificateCheck([ca], new HashSet<string>(), TimeProvider.System).Refusal(certificate, null));
    }

    [Fact]
    public void A_directory_that_holds_a_CA_keeps_it_for_the_next_node_and_never_overwrites_a_node()
    {
        var first = Make(Node("node-a"));
        var caText = File.ReadAllText(first.Ca.CertificatePath);

        var second = Make(Node("witness"));

        Assert.True(second.CaReused);
        Assert.Equal(caText, File.ReadAllText(second.Ca.CertificatePath));
        using var ca = X509CertificateLoader.LoadCertificateFromFile(second.Ca.CertificatePath);
        using var witness = X509CertificateLoader.LoadCertificateFromFile(second.Nodes[0].CertificatePath);
        Assert.Null(new PeerCertificateCheck([ca], new HashSet<string>(), TimeProvider.System).Refusal(witness, null));
        var again = Assert.Throws<InvalidOperationException>(() => Make(Node("node-a")));
        Assert.Contains("node-a.pem exists already", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_CAs_made_apart_have_names_of_their_own()
    {
        var one = Make(Node("a"));
        var other = PairCertificates.Make(Path.Combine(_directory, "other"), [Node("b")], TimeSpan.FromDays(30), TimeProvider.System);

        using var first = X509CertificateLoader.LoadCertificateFromFile(one.Ca.CertificatePath);
        using var second = X509CertificateLoader.LoadCertificateFromFile(other.Ca.CertificatePath);
        Assert.NotEqual(first.Subject, second.Subject);
    }

    [Theory]
    [InlineData("node-a", "node-a", "")]
    [InlineData("node-a=10.0.0.11", "node-a", "10.0.0.11")]
    [InlineData("b=10.0.0.12, router-b.lan", "b", "10.0.0.12|router-b.lan")]
    public void A_node_on_the_command_line_is_a_name_and_its_hosts(string text, string name, string hosts)
    {
        var node = ClusterCertCommand.ParseNode(text);

        Assert.Equal((name, hosts), (node.Name, string.Join('|', node.Hosts)));
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a b")]
    [InlineData("node-a=")]
    [InlineData("")]
    public void A_node_that_would_not_make_a_file_name_or_names_no_host_is_a_usage_error(string text) =>
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliFailure>(() => ClusterCertCommand.ParseNode(text)).ExitCode);
}
