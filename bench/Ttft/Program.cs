using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

// Time to first token of a streamed chat completion, for bench/run (wrk cannot time the first chunk).
// Sends N streamed requests one after another over one kept-alive connection, times each from just
// before the send to the first SSE "data:" line whose delta carries non-empty content, drains the
// rest, and after a warm-up prints one line: BENCH p50_us=... p99_us=... n=... errors=...
//
//   dotnet Ttft.dll URL [--key KEY] [--model NAME] [--requests N] [--warmup N]
//
// The body is the one bench/chat.lua sends, with "stream": true, and Cache-Control: no-store so the
// router forwards every request instead of answering from its cache.
if (args.Length == 0 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: Ttft URL [--key KEY] [--model NAME] [--requests N] [--warmup N]");
    return 2;
}
var url = new Uri(args[0]);
string? key = null;
var model = "bench-model";
var requests = 5000;
var warmup = 2000;
for (var i = 1; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--key": key = value; break;
        case "--model": model = value; break;
        case "--requests": requests = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
    i++;
}

var body = Encoding.UTF8.GetBytes(
    $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Say hello to the benchmark"}],"max_tokens":16,"stream":true}""");
using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = 1,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    AutomaticDecompression = DecompressionMethods.None,
    UseProxy = false,
};
using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

var samples = new List<double>(requests);
var errors = 0;
for (var i = 0; i < warmup + requests; i++)
{
    var micros = await FirstTokenAsync();
    if (micros is null) errors++;
    else if (i >= warmup) samples.Add(micros.Value);
}
if (samples.Count == 0)
{
    Console.Error.WriteLine($"no request produced a content chunk ({errors} errors)");
    return 1;
}
samples.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"BENCH p50_us={Percentile(50):F1} p99_us={Percentile(99):F1} n={samples.Count} errors={errors}"));
return errors == 0 ? 0 : 1;

double Percentile(double p) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(p / 100 * samples.Count) - 1)];

// Microseconds from send to the first content line; null when the answer is not a 200 stream with content.
async Task<double?> FirstTokenAsync()
{
    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    request.Headers.CacheControl = new CacheControlHeaderValue { NoStore = true };
    if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
    var start = Stopwatch.GetTimestamp();
    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    await using var stream = await response.Content.ReadAsStreamAsync();
    using var reader = new StreamReader(stream, Encoding.UTF8);
    double? first = null;
    while (await reader.ReadLineAsync() is { } line)
    {
        if (first is not null || !line.StartsWith("data:", StringComparison.Ordinal)) continue; // drain the rest
        var at = Stopwatch.GetTimestamp();
        if (HasContent(line.AsSpan(5).Trim())) first = Stopwatch.GetElapsedTime(start, at).TotalMicroseconds;
    }
    return response.IsSuccessStatusCode ? first : null;
}

static bool HasContent(ReadOnlySpan<char> data)
{
    if (data.SequenceEqual("[DONE]")) return false;
    try
    {
        using var chunk = JsonDocument.Parse(data.ToString());
        return chunk.RootElement.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array
            && choices.GetArrayLength() > 0
            && choices[0].TryGetProperty("delta", out var delta)
            && delta.TryGetProperty("content", out var content)
            && content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0;
    }
    catch (JsonException)
    {
        return false;
    }
}
