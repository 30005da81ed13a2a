using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// Issue 20: <c>router config check</c> reports a file's warnings (keys with no effect, named with the closest
/// known key) and its errors; only errors make the exit code non-zero. No node is needed.
/// </summary>
public sealed class ConfigCheckCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("router-cli-config-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string hocon)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.conf");
        System.IO.File.WriteAllText(path, hocon);
        return path;
    }

    [Fact]
    public async Task A_file_with_an_unknown_key_is_valid_with_a_warning_naming_the_key_meant()
    {
        var file = File("""
            router {
              providers.vllm { type = openai-compatible, api-base = "http://10.0.0.5:8000/v1", api_key = "x" }
              models += { name = "local", provider = vllm }
            }
            """);

        var text = await RouterCliProcess.RunAsync(null, "config", "check", file);
        var json = await RouterCliProcess.RunAsync(null, "config", "check", file, "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("is valid", text.Stdout);
        Assert.Contains("warning: router.providers.vllm.api_key is not a setting the router knows and has no effect; did you mean api-key?", text.Stdout);
        Assert.True(json.ExitCode == 0, json.ToString());
        var answer = JsonNode.Parse(json.Stdout)!;
        Assert.True(answer["valid"]!.GetValue<bool>());
        var warning = Assert.Single(answer["warnings"]!.AsArray());
        Assert.Contains("did you mean api-key?", warning!.GetValue<string>());
    }

    [Fact]
    public async Task A_file_with_an_error_exits_non_zero_and_names_the_warnings_that_explain_it()
    {
        var file = File("""router.providers.vllm { type = openai-compatible, api_base = "http://10.0.0.5:8000/v1" }""");

        var text = await RouterCliProcess.RunAsync(null, "config", "check", file);
        var json = await RouterCliProcess.RunAsync(null, "config", "check", file, "--json");

        Assert.Equal(2, text.ExitCode);
        Assert.Contains("router.providers.vllm.api-base is missing", text.Stderr);
        Assert.Contains("router.providers.vllm.api_base is not a setting the router knows and has no effect; did you mean api-base?", text.Stderr);
        Assert.Equal(2, json.ExitCode);
        var answer = JsonNode.Parse(json.Stdout)!;
        Assert.False(answer["valid"]!.GetValue<bool>());
        Assert.Contains("did you mean api-base?", answer["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_clean_file_has_no_warnings()
    {
        var file = File("""router.providers.vllm { type = openai-compatible, api-base = "http://10.0.0.5:8000/v1" }""");

        var json = await RouterCliProcess.RunAsync(null, "config", "check", file, "--json");

        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Empty(JsonNode.Parse(json.Stdout)!["warnings"]!.AsArray());
    }
}
