using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>Virtual keys through a running router's own API, as an operator and a key holder use it.</summary>
public static class RouterKeys
{
    /// <summary>Makes a key with <paramref name="fields"/> (the body of <c>/key/generate</c>) and returns its secret.</summary>
    public static async Task<string> GenerateKeyAsync(this RouterProcess router, string masterKey, object fields, CancellationToken ct)
    {
        using var admin = router.CreateClient(masterKey);
        using var response = await admin.PostAsJsonAsync("/key/generate", fields, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["key"]!.GetValue<string>();
    }

    /// <summary>The key's <c>info</c>, as its holder reads it from <c>/key/info</c>.</summary>
    public static async Task<JsonNode> KeyInfoAsync(this RouterProcess router, string key, CancellationToken ct)
    {
        using var holder = router.CreateClient(key);
        return JsonNode.Parse(await holder.GetStringAsync("/key/info", ct))!["info"]!;
    }
}
