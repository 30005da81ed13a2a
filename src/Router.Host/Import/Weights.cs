namespace Router.Host.Import;

/// <summary>
/// LiteLLM's simple-shuffle picks a model's deployments at random in proportion to <c>weight</c>, else
/// <c>rpm</c>, else <c>tpm</c>: whichever the first deployment sets, a deployment without it counting 0.
/// The router's weights are whole numbers of at least 1 in the same proportions (0.7/0.3 → 7/3,
/// rpm 900/600/300 → 3/2/1).
/// </summary>
public static class Weights
{
    public static readonly string[] Sources = ["weight", "rpm", "tpm"];

    /// <summary>The source setting and one weight per deployment; null when the deployments are weighted equally.</summary>
    public static (string Source, int[] Weights, bool HadZero)? Of(IReadOnlyList<Dictionary<string, object?>> deployments)
    {
        if (deployments.Count < 2) return null;
        var source = Sources.FirstOrDefault(s => LiteLlmYaml.Number(deployments[0].GetValueOrDefault(s)) is not null);
        if (source is null) return null;
        var values = deployments.Select(d => Math.Max(0, LiteLlmYaml.Number(d.GetValueOrDefault(source)) ?? 0)).ToArray();
        var hadZero = values.Any(v => v == 0);
        if (values.All(v => v == 0)) return (source, [.. values.Select(_ => 1)], hadZero);
        var scale = new[] { 1d, 10, 100, 1000 }.FirstOrDefault(s => values.All(v => Math.Abs(v * s - Math.Round(v * s)) < 1e-9), 1000);
        var whole = values.Select(v => Math.Max(1L, (long)Math.Round(v * scale))).ToArray();
        var divisor = whole.Aggregate(Gcd);
        var reduced = whole.Select(w => w / divisor).ToArray();
        // Weights only set proportions; keep them small enough to read and far from overflow.
        var largest = reduced.Max();
        var shrink = largest > 10_000 ? largest / 10_000d : 1;
        return (source, [.. reduced.Select(w => (int)Math.Max(1, Math.Round(w / shrink)))], hadZero);
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
}
