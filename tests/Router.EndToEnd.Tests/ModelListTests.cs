using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;

namespace Router.EndToEnd.Tests;

/// <summary>
/// <c>/v1/models</c> lists names a client can send: the models behind each wildcard route, from its provider's own
/// list, asked with the provider's key the provider's way; a provider that is down or refuses hides only its own.
/// <c>/v1/model/info</c> (and <c>/model/info</c>) gives the same names in LiteLLM's shape, which Roo Code and Cline
/// read, with context windows and prices and no secret.
/// </summary>
public sealed class ModelListTests(ModelListFixture fixture) : IClassFixture<ModelListFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Expected =
    [
        "haiku",
        "openrouter/gpt-4o-mini", "openrouter/meta-llama/llama-3.3-70b-instruct",
        // Three models on two pages: the second is followed.
        "claude/claude-3-5-haiku-20241022", "claude/claude-3-haiku-20240307", "claude/claude-sonnet-4-20250514",
        // Two pages too, without models/ and without the embedding model, which cannot chat.
        "google/gemini-2.5-flash", "google/gemini-2.5-pro",
    ];

    [Fact]
    public async Task Wildcard_routes_are_expanded_from_their_providers_lists_and_one_that_is_down_hides_only_its_own()
    {
        var ids = await EventuallyAsync(fixture.Http(), Expected.Length);

        Assert.Equal(Expected.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        var output = fixture.Router.Output;
        Assert.Contains("Provider 'down' did not list its models", output);
        Assert.Contains("Provider 'refusing' did not list its models", output);
        Assert.Contains("answered 401", output);
        Assert.Contains("Provider 'claude' lists 3 models", output);
        foreach (var secret in new[] { ModelListFixture.ProviderKey, ModelListFixture.RefusedKey, ModelListFixture.DownKey })
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listed_name_is_a_name_the_client_can_send()
    {
        await EventuallyAsync(fixture.Http(), Expected.Length);
        using var http = fixture.Http();

        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "openrouter/meta-llama/llama-3.3-70b-instruct",
            messages = new[] { new { role = "user", content = "listed" } },
        }, Ct);

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("meta-llama/llama-3.3-70b-instruct",
            fixture.Mock.Received.Last(r => r.Path == "/v1/chat/completions").Body["model"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v1/model/info")]
    [InlineData("/model/info")]
    public async Task Model_info_gives_each_listed_name_in_litellms_shape_without_secrets(string path)
    {
        await EventuallyAsync(fixture.Http(), Expected.Length);
        using var http = fixture.Http();

        var text = await http.GetStringAsync(path, Ct);

        foreach (var secret in new[] { ModelListFixture.ProviderKey, ModelListFixture.RefusedKey, ModelListFixture.DownKey, ModelListFixture.MasterKey })
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        var data = JsonNode.Parse(text)!["data"]!.AsArray();
        Assert.Equal(Expected.Order(StringComparer.Ordinal), data.Select(e => e!["model_name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(data, entry =>
        {
            var parameters = entry!["litellm_params"]!.AsObject();
            Assert.Equal(["api_base", "model"], parameters.Select(p => p.Key).Order());
            Assert.Equal("chat", entry["model_info"]!["mode"]!.GetValue<string>());
        });

        var haiku = data.Single(e => e!["model_name"]!.GetValue<string>() == "haiku")!;
        Assert.Equal("claude/claude-3-haiku-20240307", haiku["litellm_params"]!["model"]!.GetValue<string>());
        Assert.Equal(fixture.Mock.Root + "/anthropic/v1", haiku["litellm_params"]!["api_base"]!.GetValue<string>());
        var info = haiku["model_info"]!;
        // The shipped price table's figures for claude-3-haiku-20240307.
        Assert.Equal(200_000, info["max_input_tokens"]!.GetValue<int>());
        Assert.Equal(4096, info["max_output_tokens"]!.GetValue<int>());
        Assert.Equal(4096, info["max_tokens"]!.GetValue<int>());
        Assert.Equal(0.00000025m, info["input_cost_per_token"]!.GetValue<decimal>());
        Assert.Equal(0.00000125m, info["output_cost_per_token"]!.GetValue<decimal>());
        Assert.Equal("anthropic", info["litellm_provider"]!.GetValue<string>());
        Assert.True(info["supports_vision"]!.GetValue<bool>());

        var gemini = data.Single(e => e!["model_name"]!.GetValue<string>() == "google/gemini-2.5-pro")!;
        Assert.Equal("google/gemini-2.5-pro", gemini["litellm_params"]!["model"]!.GetValue<string>());
        Assert.Equal(1_048_576, gemini["model_info"]!["max_input_tokens"]!.GetValue<int>());
        Assert.Equal("gemini", gemini["model_info"]!["litellm_provider"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_key_sees_only_the_names_its_models_allow_in_both_lists()
    {
        await EventuallyAsync(fixture.Http(), Expected.Length);
        var key = await fixture.Router.GenerateKeyAsync(ModelListFixture.MasterKey, new { models = new[] { "claude/*" } }, Ct);
        using var holder = fixture.Http(key);

        var ids = Ids(await holder.GetFromJsonAsync<JsonObject>("/v1/models", Ct));
        var info = (await holder.GetFromJsonAsync<JsonObject>("/v1/model/info", Ct))!["data"]!.AsArray()
            .Select(e => e!["model_name"]!.GetValue<string>()).ToList();

        string[] claude = ["claude/claude-3-5-haiku-20241022", "claude/claude-3-haiku-20240307", "claude/claude-sonnet-4-20250514"];
        Assert.Equal(claude, ids.Order(StringComparer.Ordinal));
        Assert.Equal(claude, info.Order(StringComparer.Ordinal));
    }

    private static List<string> Ids(JsonObject? models) =>
        models!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();

    /// <summary>The ids once the lists are in: fetched in the background, they arrive just after the router starts.</summary>
    private static async Task<List<string>> EventuallyAsync(HttpClient http, int count)
    {
        using (http)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (true)
            {
                var ids = Ids(await http.GetFromJsonAsync<JsonObject>("/v1/models", Ct));
                if (ids.Count >= count || DateTime.UtcNow > deadline) return ids;
                await Task.Delay(100, Ct);
            }
        }
    }
}
