using System.Globalization;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>What the tests of the pair share: a node's config on loopback, and how many members a node sees up.</summary>
public static class PairNodes
{
    /// <summary>Node <paramref name="node"/> of two on <paramref name="remotingPorts"/>, in front of one mock with a priced model "paid".</summary>
    public static string Config(string masterKey, PostgresServer postgres, MockOpenAiServer mock, int[] remotingPorts, int node) => $$"""
          master-key = "{{masterKey}}"
          routing.retries = 0
          storage { provider = postgres, connection-string = "{{postgres.ConnectionString}}" }
          cluster {
            enabled = true
            hostname = "127.0.0.1"
            port = {{remotingPorts[node]}}
            seed-nodes = ["127.0.0.1:{{remotingPorts[0]}}", "127.0.0.1:{{remotingPorts[1]}}"]
            drain-delay = 0s
          }
          providers { mock { type = openai-compatible, api-base = "{{mock.ApiBase}}" } }
          models = [ { name = "paid", provider = mock, model = "echo-paid" } ]
          prices { "paid" { input-cost-per-token = 0.0001, output-cost-per-token = 0.0002 } }
        """;

    /// <summary>Members the node sees up, from its metrics; 0 when it does not answer.</summary>
    public static async Task<double> MembersUpAsync(RouterProcess node)
    {
        if (node.HasExited) return 0;
        using var http = node.CreateClient(null);
        try
        {
            var metrics = await http.GetStringAsync("/metrics");
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("router_cluster_members{status=\"up\"}", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}
