using Router.Host.Admin;
using Router.Host.Cli;
using Router.Host.Http;

namespace Router.Host.Tests.Admin;

/// <summary>How the command line and the admin endpoint read the addresses an operator types.</summary>
public sealed class AddressParsingTests
{
    [Theory]
    [InlineData("127.0.0.1:4000", "http://127.0.0.1:4000/")]
    [InlineData("router-a.lan:4000", "http://router-a.lan:4000/")]
    [InlineData("https://router-a.lan", "https://router-a.lan/")]
    [InlineData("http://127.0.0.1:4000/some/path", "http://127.0.0.1:4000/")]
    public void A_node_is_host_port_or_a_url(string text, string expected) =>
        Assert.Equal(expected, AdminClient.ParseNode(text).ToString());

    [Theory]
    [InlineData("ftp://host:21")]
    [InlineData("http://")]
    public void Anything_else_is_a_usage_error(string text) =>
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliFailure>(() => AdminClient.ParseNode(text)).ExitCode);

    [Theory]
    [InlineData("127.0.0.1:4053", "akka.tcp://router@127.0.0.1:4053")]
    [InlineData("akka.tcp://router@10.0.0.12:4053", "akka.tcp://router@10.0.0.12:4053")]
    public void A_member_is_a_seed_or_an_akka_address(string text, string expected) =>
        Assert.Equal(expected, ClusterAdmin.Parse(text).ToString());

    [Theory]
    [InlineData("not an address")]
    [InlineData("host-without-port")]
    [InlineData("akka.tcp://router@host")]
    public void A_member_address_that_cannot_be_read_is_a_bad_request(string text)
    {
        var error = Assert.Throws<RouterError>(() => ClusterAdmin.Parse(text));

        Assert.Equal((400, "address"), (error.Status, error.Body.Param));
    }
}
