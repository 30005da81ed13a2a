using Microsoft.Extensions.Logging;
using Router.Contracts.Configuration;
using Router.Host.Cluster;
using Router.Host.Tests.Caching;

namespace Router.Host.Tests.Cluster;

/// <summary>What a pair node says of its remoting at start: one loud warning when it is cleartext on an address others reach.</summary>
public sealed class RemotingSecurityReportTests
{
    private static readonly ClusterSettings Node = ClusterSettings.Off with { Enabled = true, Hostname = "10.0.0.11" };

    private static IReadOnlyList<(LogLevel Level, string Message)> Report(ClusterSettings cluster)
    {
        var logger = new ListLogger<RemotingSecurityReportTests>();
        RemotingSecurityReport.Log(logger, cluster);
        return logger.Entries;
    }

    [Fact]
    public void A_cleartext_node_on_a_reachable_address_warns_once_naming_the_setting_to_fix()
    {
        var warning = Assert.Single(Report(Node), e => e.Level == LogLevel.Warning).Message;

        Assert.Contains("akka.tcp://router@10.0.0.11:4053 is NOT encrypted", warning, StringComparison.Ordinal);
        Assert.Contains("router.cluster.tls.certificate", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_on_loopback_or_over_TLS_does_not_warn_and_the_password_is_never_said()
    {
        var tls = Node with { Tls = new ClusterTlsSettings("/etc/router/tls/node-a.pem", null, "s3cret-pfx-password", "/etc/router/tls/ca.pem", []) };

        Assert.Empty(Report(Node with { Hostname = "127.0.0.1" }));
        Assert.Empty(Report(ClusterSettings.Off with { Hostname = "10.0.0.11" }));
        var line = Assert.Single(Report(tls));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("akka.ssl.tcp://router@10.0.0.11:4053 over TLS: certificate /etc/router/tls/node-a.pem, ca /etc/router/tls/ca.pem", line.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_that_expires_within_30_days_is_a_warning_and_a_later_one_only_its_date()
    {
        var directory = Path.Combine(Path.GetTempPath(), "router-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            ClusterSettings Made(string name, int days)
            {
                var made = PairCertificates.Make(Path.Combine(directory, name), [new("node-a", [])], TimeSpan.FromDays(days), TimeProvider.System);
                return Node with { Tls = new ClusterTlsSettings(made.Nodes[0].CertificatePath, made.Nodes[0].KeyPath, null, made.Ca.CertificatePath, []) };
            }

            var soon = Report(Made("soon", 20));
            var later = Report(Made("later", 3650));

            var warning = Assert.Single(soon, e => e.Level == LogLevel.Warning).Message;
            Assert.Contains("router.cluster.tls.certificate", warning, StringComparison.Ordinal);
            Assert.Contains("router cluster cert", warning, StringComparison.Ordinal);
            var info = Assert.Single(later);
            Assert.Equal(LogLevel.Information, info.Level);
            Assert.Contains($", valid until {DateTime.UtcNow.AddDays(3650):yyyy-MM-dd}", info.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("10.0.0.11", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("router-a.lan", false)]
    public void Only_a_loopback_hostname_is_private_to_the_host(string hostname, bool loopback) =>
        Assert.Equal(loopback, RemotingSecurityReport.IsLoopback(hostname));
}
