namespace Router.Actors.Routing;

/// <summary>
/// Nginx's smooth weighted round-robin: over any run of picks each deployment's share matches its
/// weight, and heavy ones are interleaved with light ones rather than sent in bursts.
/// </summary>
public sealed class SmoothWeightedRoundRobin
{
    private readonly Dictionary<string, long> _current = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Deployment Next(IReadOnlyList<Deployment> candidates)
    {
        lock (_lock)
        {
            Deployment? best = null;
            long bestScore = long.MinValue, total = 0;
            foreach (var d in candidates)
            {
                var score = _current.GetValueOrDefault(d.Id) + d.Weight;
                _current[d.Id] = score;
                total += d.Weight;
                if (score > bestScore)
                {
                    best = d;
                    bestScore = score;
                }
            }
            _current[best!.Id] = bestScore - total;
            return best;
        }
    }
}
