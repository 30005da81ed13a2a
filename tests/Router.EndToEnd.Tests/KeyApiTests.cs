using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using Router.EndToEnd.Tests.Fixtures;
using static Router.EndToEnd.Tests.ErrorTests;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The virtual key admin API (LiteLLM's <c>/key/*</c>) against the real router: keys made there work at
/// once, within their models, and every change (block, models, regenerate, delete) holds from the next request.
/// </summary>
[Collection("keyapi")]
public sealed class KeyApiTests(KeyApiFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_generated_key_uses_its_models_and_is_refused_others()
    {
        var generated = await GenerateAsync("""
            {"models":["mock/*"],"key_alias":"models-test","max_budget":5,"budget_duration":"30d","rpm_limit":100,"tpm_limit":100000,
             "duration":"1h","metadata":{"team":"e2e","n":1}}
            """);
        var key = generated["key"]!.GetValue<string>();
        var keyId = generated["key_id"]!.GetValue<string>();

        Assert.StartsWith("sk-", key);
        Assert.StartsWith("key_", keyId);
        Assert.Equal(keyId, generated["token"]!.GetValue<string>());
        Assert.Equal("models-test", generated["key_alias"]!.GetValue<string>());
        Assert.Equal(["mock/*"], generated["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(5m, generated["max_budget"]!.GetValue<decimal>());
        Assert.Equal("30d", generated["budget_duration"]!.GetValue<string>());
        Assert.Equal(100, generated["rpm_limit"]!.GetValue<int>());
        Assert.Equal(100000, generated["tpm_limit"]!.GetValue<int>());
        Assert.Equal("e2e", generated["metadata"]!["team"]!.GetValue<string>());
        var expires = generated["expires"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(65));
        Assert.False(generated["blocked"]!.GetValue<bool>());

        ChatCompletion completion = await fixture.Sdk(key).GetChatClient("mock/llama3.2:3b")
            .CompleteChatAsync([new UserChatMessage("virtual key")], cancellationToken: Ct);
        Assert.Equal("virtual key", completion.Content[0].Text);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            fixture.Sdk(key).GetChatClient("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("no")], cancellationToken: Ct));
        Assert.Equal(403, refused.Status);

        using var http = fixture.Http(key);
        var models = await http.GetFromJsonAsync<JsonObject>("/v1/models", Ct);
        var ids = models!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        // Only what mock/* allows, and never the pattern itself: its names are the provider's own models.
        Assert.All(ids, id => Assert.StartsWith("mock/", id, StringComparison.Ordinal));
        Assert.DoesNotContain("mock/*", ids);
    }

    [Fact]
    public async Task A_blocked_key_is_refused_until_unblocked()
    {
        var (key, keyId) = await NewKeyAsync();
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(key));

        var blocked = await PostAsync("/key/block", $$"""{"key":"{{keyId}}"}""");
        Assert.True(blocked["blocked"]!.GetValue<bool>());
        Assert.Null(blocked["key"]);
        using (var http = fixture.Http(key))
        {
            using var response = await http.PostAsync("/v1/chat/completions", Chat("mock/x"), Ct);
            Assert.Equal("key_disabled", (await ErrorOf(response, HttpStatusCode.Unauthorized))["code"]!.GetValue<string>());
            using var models = await http.GetAsync("/v1/models", Ct);
            Assert.Equal("key_disabled", (await ErrorOf(models, HttpStatusCode.Unauthorized))["code"]!.GetValue<string>());
        }

        // The secret names the key as well as its id does.
        var unblocked = await PostAsync("/key/unblock", $$"""{"key":"{{key}}"}""");
        Assert.False(unblocked["blocked"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(key));

        await PostAsync("/key/update", $$"""{"key":"{{keyId}}","blocked":true}""");
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatStatusAsync(key));
    }

    [Fact]
    public async Task Changed_models_hold_from_the_next_request()
    {
        var (key, keyId) = await NewKeyAsync("""{"models":["gpt-4o-mini"]}""");
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(key, "gpt-4o-mini"));
        Assert.Equal(HttpStatusCode.Forbidden, await ChatStatusAsync(key, "mock/a"));

        var updated = await PostAsync("/key/update", $$"""{"key":"{{keyId}}","models":["mock/*"],"key_alias":"renamed","max_budget":null}""");
        Assert.Equal(["mock/*"], updated["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("renamed", updated["key_alias"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Forbidden, await ChatStatusAsync(key, "gpt-4o-mini"));
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(key, "mock/a"));

        // An empty list, like LiteLLM's, means every model.
        await PostAsync("/key/update", $$"""{"key":"{{keyId}}","models":[]}""");
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(key, "gpt-4o-mini"));
    }

    [Fact]
    public async Task A_key_past_its_expiry_is_refused()
    {
        var (key, keyId) = await NewKeyAsync();
        await PostAsync("/key/update", $$"""{"key":"{{keyId}}","expires":"2001-01-01T00:00:00Z"}""");
        using var http = fixture.Http(key);
        using var response = await http.PostAsync("/v1/chat/completions", Chat("mock/x"), Ct);
        Assert.Equal("key_disabled", (await ErrorOf(response, HttpStatusCode.Unauthorized))["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_answer_is_in_the_keys_spend_by_the_time_the_client_holds_it(bool stream)
    {
        var (key, keyId) = await NewKeyAsync();
        using var http = fixture.Http(key);
        var body = $$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""";
        var tokens = 0L;
        for (var i = 1; i <= 20; i++)
        {
            using var response = await http.PostAsync("/v1/chat/completions", Json(body), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync(Ct); // the whole answer, [DONE] included for a stream

            // Asked at once, without waiting: the settlement went to the key's actor before the answer's last part.
            var info = await InfoAsync(keyId);
            Assert.Equal(i, info["requests"]!.GetValue<long>());
            // Its usage too (the mock on loopback is free, so the usage is what shows it).
            Assert.True(info["completion_tokens"]!.GetValue<long>() > tokens, info.ToJsonString());
            tokens = info["completion_tokens"]!.GetValue<long>();
        }
    }

    [Fact]
    public async Task Regenerating_replaces_the_secret_and_keeps_the_id_and_spend()
    {
        var (oldKey, keyId) = await NewKeyAsync();
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(oldKey, "gpt-4o-mini"));
        var before = await InfoAsync(keyId);
        Assert.Equal(1, before["requests"]!.GetValue<long>());
        Assert.True(before["prompt_tokens"]!.GetValue<long>() > 0, before.ToJsonString());

        var regenerated = await PostAsync("/key/regenerate", $$"""{"key":"{{oldKey}}"}""");
        var newKey = regenerated["key"]!.GetValue<string>();
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(keyId, regenerated["key_id"]!.GetValue<string>());
        Assert.Equal(before["spend"]!.GetValue<decimal>(), regenerated["spend"]!.GetValue<decimal>());
        Assert.Equal(1, regenerated["requests"]!.GetValue<long>());

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatStatusAsync(oldKey));
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(newKey, "gpt-4o-mini"));
        var after = await InfoAsync(keyId);
        // Usage (and spend, which is priced from it) carries on from where the old secret left it.
        Assert.Equal(2, after["requests"]!.GetValue<long>());
        Assert.True(after["prompt_tokens"]!.GetValue<long>() > before["prompt_tokens"]!.GetValue<long>());
        Assert.True(after["spend"]!.GetValue<decimal>() >= before["spend"]!.GetValue<decimal>());

        // LiteLLM's spelling with the key in the path.
        var again = await PostAsync($"/key/{keyId}/regenerate", null);
        var newest = again["key"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatStatusAsync(newKey));
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(newest));
    }

    [Fact]
    public async Task A_deleted_key_is_refused_and_gone_from_info_and_list()
    {
        var (key, keyId) = await NewKeyAsync();
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(key));

        var deleted = await PostAsync("/key/delete", $$"""{"keys":["{{key}}"]}""");
        Assert.Equal([keyId], deleted["deleted_keys"]!.AsArray().Select(k => k!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatStatusAsync(key));
        using var http = fixture.Http();
        using (var info = await http.GetAsync($"/key/info?key={keyId}", Ct))
            Assert.Equal("key", (await ErrorOf(info, HttpStatusCode.NotFound))["param"]!.GetValue<string>());
        using (var again = await http.PostAsync("/key/delete", Json($$"""{"keys":["{{keyId}}"]}"""), Ct))
            Assert.Equal("keys[0]", (await ErrorOf(again, HttpStatusCode.NotFound))["param"]!.GetValue<string>());
        var list = await http.GetFromJsonAsync<JsonObject>("/key/list", Ct);
        Assert.DoesNotContain(keyId, list!["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
    }

    [Fact]
    public async Task A_key_holder_reads_its_own_info_but_not_another_keys_nor_the_list()
    {
        var (key, keyId) = await NewKeyAsync("""{"models":["mock/*"],"key_alias":"holder"}""");
        var (otherKey, otherId) = await NewKeyAsync();
        using var http = fixture.Http(key);

        var own = await http.GetFromJsonAsync<JsonObject>("/key/info", Ct);
        Assert.Equal(keyId, own!["key"]!.GetValue<string>());
        Assert.Equal("holder", own["info"]!["key_alias"]!.GetValue<string>());
        Assert.Equal(key[..10] + "…", own["info"]!["key_name"]!.GetValue<string>());
        Assert.Null(own["info"]!["key"]);
        Assert.Equal(keyId, (await http.GetFromJsonAsync<JsonObject>($"/key/info?key={keyId}", Ct))!["key"]!.GetValue<string>());
        Assert.Equal(keyId, (await http.GetFromJsonAsync<JsonObject>($"/key/info?key={key}", Ct))!["key"]!.GetValue<string>());

        foreach (var path in new[] { $"/key/info?key={otherId}", $"/key/info?key={otherKey}", "/key/info?key=key_0000000000000000", "/key/list" })
        {
            using var response = await http.GetAsync(path, Ct);
            await ErrorOf(response, HttpStatusCode.Forbidden);
        }
        using (var generate = await http.PostAsync("/key/generate", Json("{}"), Ct)) await ErrorOf(generate, HttpStatusCode.Forbidden);
        using (var update = await http.PostAsync("/key/update", Json($$"""{"key":"{{keyId}}","models":[]}"""), Ct))
            await ErrorOf(update, HttpStatusCode.Forbidden);

        using var master = fixture.Http();
        var list = await master.GetFromJsonAsync<JsonObject>("/key/list", Ct);
        Assert.Contains(keyId, list!["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        var row = list["data"]!.AsArray().Single(d => d!["key_id"]!.GetValue<string>() == keyId)!;
        Assert.Equal("holder", row["key_alias"]!.GetValue<string>());
        Assert.Null(row["key"]);
    }

    [Fact]
    public async Task Without_a_key_or_with_a_wrong_one_the_api_answers_401()
    {
        foreach (var bearer in new[] { null, "sk-not-a-key-of-this-router-123456" })
        {
            using var http = fixture.Http(bearer);
            using (var generate = await http.PostAsync("/key/generate", Json("{}"), Ct)) await ErrorOf(generate, HttpStatusCode.Unauthorized);
            using (var list = await http.GetAsync("/key/list", Ct)) await ErrorOf(list, HttpStatusCode.Unauthorized);
            using (var info = await http.GetAsync("/key/info", Ct)) await ErrorOf(info, HttpStatusCode.Unauthorized);
        }
        using var master = fixture.Http();
        using (var unknown = await master.GetAsync("/key/info?key=sk-never-generated-here-0000000", Ct))
            await ErrorOf(unknown, HttpStatusCode.NotFound);
        using (var update = await master.PostAsync("/key/update", Json("""{"key":"key_0123456789abcdef","models":[]}"""), Ct))
            await ErrorOf(update, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_key_refused_before_it_existed_works_once_generated()
    {
        // A chosen secret (LiteLLM's "key" on generate) lets the refusal be seen first: it must not be remembered.
        const string chosen = "sk-e2e-chosen-key-5f1c9a3e7b2d4c6a8e0f";
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatStatusAsync(chosen));
        var generated = await GenerateAsync($$"""{"key":"{{chosen}}"}""");
        Assert.Equal(chosen, generated["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, await ChatStatusAsync(chosen));

        using var http = fixture.Http();
        using var again = await http.PostAsync("/key/generate", Json($$"""{"key":"{{chosen}}"}"""), Ct);
        Assert.Equal("key", (await ErrorOf(again, HttpStatusCode.BadRequest))["param"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"models":"mock/*"}""", "models")]
    [InlineData("""{"models":[1]}""", "models")]
    [InlineData("""{"max_budget":-1}""", "max_budget")]
    [InlineData("""{"max_budget":"10"}""", "max_budget")]
    [InlineData("""{"budget_duration":"3x"}""", "budget_duration")]
    [InlineData("""{"budget_duration":"0d"}""", "budget_duration")]
    [InlineData("""{"rpm_limit":1.5}""", "rpm_limit")]
    [InlineData("""{"tpm_limit":-3}""", "tpm_limit")]
    [InlineData("""{"duration":"forever"}""", "duration")]
    [InlineData("""{"expires":"next tuesday"}""", "expires")]
    [InlineData("""{"duration":"1d","expires":"2030-01-01T00:00:00Z"}""", "duration")]
    [InlineData("""{"key_alias":5}""", "key_alias")]
    [InlineData("""{"metadata":["a"]}""", "metadata")]
    [InlineData("""{"key":"short"}""", "key")]
    public async Task A_bad_field_is_refused_with_400_naming_it(string body, string param)
    {
        using var http = fixture.Http();
        using var response = await http.PostAsync("/key/generate", Json(body), Ct);
        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_bodies_and_a_taken_alias_are_refused_with_400()
    {
        using var http = fixture.Http();
        using (var notJson = await http.PostAsync("/key/generate", Json("{nope"), Ct)) await ErrorOf(notJson, HttpStatusCode.BadRequest);
        using (var noKey = await http.PostAsync("/key/update", Json("""{"models":[]}"""), Ct))
            Assert.Equal("key", (await ErrorOf(noKey, HttpStatusCode.BadRequest))["param"]!.GetValue<string>());
        using (var noKeys = await http.PostAsync("/key/delete", Json("{}"), Ct))
            Assert.Equal("keys", (await ErrorOf(noKeys, HttpStatusCode.BadRequest))["param"]!.GetValue<string>());

        await GenerateAsync("""{"key_alias":"taken-alias"}""");
        using var taken = await http.PostAsync("/key/generate", Json("""{"key_alias":"taken-alias"}"""), Ct);
        Assert.Equal("key_alias", (await ErrorOf(taken, HttpStatusCode.BadRequest))["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Secrets_never_reach_the_router_output()
    {
        var (key, keyId) = await NewKeyAsync();
        await ChatStatusAsync(key);
        await ChatStatusAsync(key, "gpt-4o-mini-not-routed");
        var regenerated = (await PostAsync("/key/regenerate", $$"""{"key":"{{keyId}}"}"""))["key"]!.GetValue<string>();
        await ChatStatusAsync(key);
        await PostAsync("/key/delete", $$"""{"keys":["{{regenerated}}"]}""");
        await ChatStatusAsync(regenerated);

        var output = fixture.Router.Output;
        Assert.Contains(keyId, output);
        Assert.DoesNotContain(key, output);
        Assert.DoesNotContain(regenerated, output);
        Assert.DoesNotContain(KeyApiFixture.MasterKey, output);
    }

    private async Task<(string Key, string KeyId)> NewKeyAsync(string body = "{}")
    {
        var generated = await GenerateAsync(body);
        return (generated["key"]!.GetValue<string>(), generated["key_id"]!.GetValue<string>());
    }

    private Task<JsonObject> GenerateAsync(string body) => PostAsync("/key/generate", body);

    private async Task<JsonObject> PostAsync(string path, string? body)
    {
        using var http = fixture.Http();
        using var response = await http.PostAsync(path, body is null ? null : Json(body), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<JsonObject> InfoAsync(string keyId)
    {
        using var http = fixture.Http();
        var info = await http.GetFromJsonAsync<JsonObject>($"/key/info?key={keyId}", Ct);
        Assert.Equal(keyId, info!["key"]!.GetValue<string>());
        return info["info"]!.AsObject();
    }

    private async Task<HttpStatusCode> ChatStatusAsync(string key, string model = "mock/hello")
    {
        using var http = fixture.Http(key);
        using var response = await http.PostAsync("/v1/chat/completions", Chat(model), Ct);
        return response.StatusCode;
    }
}
