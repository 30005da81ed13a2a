using System.Diagnostics;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// A second real client of the Responses API: the openai npm package (tests/clients/node, installed by .ci/run with
/// <c>npm ci</c>) runs text, its stream helper, a tool call over two turns with <c>previous_response_id</c>, a stored
/// response read and deleted, and a provider's 429, through the router to each bridged backend.
/// </summary>
[Collection("gateway")]
public sealed class NodeClientTests(GatewayFixture gateway)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ClientFolder => Path.Combine(RouterProcess.RepositoryRoot(), "tests", "clients", "node");

    [Theory]
    [InlineData("mock/gpt-4o-mini")]
    [InlineData("claude/claude-sonnet-4-5")]
    [InlineData("google/gemini-2.5-flash")]
    public async Task The_openai_npm_package_speaks_the_Responses_API_through_the_router(string model)
    {
        // A 429 cools down its model's circuit: each run, and no other test, has its own refused model.
        var refusedModel = "mock/fail-429-node-" + model.Split('/')[0];
        var results = await RunAsync(model, refusedModel);

        var text = results["text"];
        Assert.Equal("completed", text["status"]!.GetValue<string>());
        Assert.Equal("Say hello there", text["text"]!.GetValue<string>());
        Assert.StartsWith("resp_", text["id"]!.GetValue<string>());
        Assert.True(text["usage"]!["output_tokens"]!.GetValue<int>() > 0);

        var stream = results["stream"];
        Assert.Equal("Stream these four words", stream["deltas"]!.GetValue<string>());
        Assert.Equal("Stream these four words", stream["text"]!.GetValue<string>());
        Assert.Equal("completed", stream["status"]!.GetValue<string>());
        var sequence = stream["sequence"]!.AsArray().Select(n => n!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(0, sequence.Count), sequence);

        var tool = results["toolTwoTurns"];
        Assert.Equal("get_weather", tool["call"]!["name"]!.GetValue<string>());
        Assert.Equal("Paris", tool["call"]!["arguments"]!["location"]!.GetValue<string>());
        Assert.Equal("The tool said: sunny, 21 C", tool["text"]!.GetValue<string>());

        var stored = results["stored"];
        Assert.True(stored["same"]!.GetValue<bool>());
        Assert.Equal(404, stored["afterDelete"]!.GetValue<int>());

        var refused = results["refused"];
        Assert.Equal(429, refused["status"]!.GetValue<int>());
        Assert.Equal("provider", refused["origin"]!.GetValue<string>());
        Assert.Equal("mock", refused["provider"]!.GetValue<string>());
    }

    /// <summary>Runs tests/clients/node/responses.mjs; each scenario's line by name, a failed scenario failing the test with its error.</summary>
    private async Task<Dictionary<string, JsonNode>> RunAsync(string model, string refusedModel)
    {
        Assert.True(File.Exists(Path.Combine(ClientFolder, "node_modules", "openai", "package.json")),
            $"the openai npm package is not installed: npm ci --prefix {ClientFolder} (.ci/run does)");
        var start = new ProcessStartInfo("node") { WorkingDirectory = ClientFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("responses.mjs");
        start.ArgumentList.Add(model);
        start.ArgumentList.Add(refusedModel);
        start.Environment["ROUTER_URL"] = gateway.Router.BaseUrl + "/v1";
        start.Environment["ROUTER_KEY"] = GatewayFixture.MasterKey;
        using var node = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stdout = node.StandardOutput.ReadToEndAsync(Ct);
        var stderr = node.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!node.HasExited) node.Kill();
        }
        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}");

        var results = new Dictionary<string, JsonNode>();
        foreach (var line in (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var result = JsonNode.Parse(line)!;
            Assert.True(result["failed"] is null, $"{result["scenario"]} failed: {result["failed"]}");
            results[result["scenario"]!.GetValue<string>()] = result;
        }
        return results;
    }
}
