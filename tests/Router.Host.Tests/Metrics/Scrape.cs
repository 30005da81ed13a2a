using System.Globalization;
using System.Text;
using Router.Host.Metrics;

namespace Router.Host.Tests.Metrics;

/// <summary>One scrape of a <see cref="RouterMetrics"/>: its text, and each sample by its exact series name and labels.</summary>
public sealed class Scrape
{
    private Scrape(string text, IReadOnlyDictionary<string, double> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }
    public IReadOnlyDictionary<string, double> Samples { get; }

    /// <summary>The value of one series, e.g. <c>router_requests_total{model="m",provider="p",key="k",status="200"}</c>; fails when absent.</summary>
    public double this[string series] =>
        Samples.TryGetValue(series, out var value) ? value : throw new KeyNotFoundException($"no series {series} in:\n{Text}");

    public bool Has(string series) => Samples.ContainsKey(series);

    public static async Task<Scrape> OfAsync(RouterMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return Parse(Encoding.UTF8.GetString(stream.ToArray()));
    }

    public static Scrape Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return new Scrape(text, samples);
    }
}
