using System.Text.Json.Nodes;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>Reads a server-sent event stream the way a client sees it: the data payloads, in order.</summary>
public static class Sse
{
    public static async Task<List<string>> ReadDataAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var payloads = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal)) payloads.Add(line["data: ".Length..]);
        }
        return payloads;
    }

    public static IEnumerable<JsonObject> Chunks(IEnumerable<string> payloads) =>
        payloads.Where(p => p != "[DONE]").Select(p => (JsonObject)JsonNode.Parse(p)!);
}
