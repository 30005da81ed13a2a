namespace Router.Host.Configuration;

/// <summary>
/// The known name an operator most likely meant by one the router does not know (<c>api_base</c> →
/// <c>api-base</c>, <c>retires</c> → <c>retries</c>), by edit distance. A name too far from every
/// known one gets no suggestion: a wrong guess would mislead more than none.
/// </summary>
public static class ClosestName
{
    /// <summary>The nearest of <paramref name="known"/>, or null when none is within a third of the name's length (at least 2 edits).</summary>
    public static string? To(string name, IEnumerable<string> known)
    {
        var limit = Math.Max(2, name.Length / 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        // Ordinal order, so that of two names equally near, the same one is named every time.
        foreach (var candidate in known.Order(StringComparer.Ordinal))
        {
            var distance = EditDistance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= limit ? best : null;
    }

    /// <summary>
    /// Levenshtein distance (insertions, deletions, substitutions), ignoring case: <c>Api-Base</c> is 0 from
    /// <c>api-base</c>, <c>api_base</c> is 1.
    /// </summary>
    public static int EditDistance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
