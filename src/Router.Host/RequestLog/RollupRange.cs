namespace Router.Host.RequestLog;

/// <summary>One part of a range read from one tier: buckets starting in [From, To) (null: unbounded).</summary>
public sealed record RollupPiece(RollupTier Tier, DateTime? From, DateTime? To);

/// <summary>
/// Splits a time range into pieces each tier answers exactly: whole months from the month totals, the days at either side
/// from the day totals, then hours, then the minutes at the edges. A range is counted in
/// whole minutes: a <c>from</c> or <c>to</c> inside a minute counts that minute from its start. Where minute
/// (or hour) totals are past their retention, the edge is read from the next tier up, to its whole hour (or day).
/// </summary>
public static class RollupRange
{
    /// <param name="minutesKeptFrom">Minute totals before this time may have been deleted (retention); null: all kept.</param>
    /// <param name="hoursKeptFrom">The same for hour totals.</param>
    /// <param name="coarsest">No piece is wider than this (a series per hour cannot read day totals).</param>
    /// <param name="wholeMonthsFrom">Months before this one are not all in the month totals (<see cref="RollupSplit"/>); null: all are.</param>
    public static IReadOnlyList<RollupPiece> Split(DateTimeOffset? from, DateTimeOffset? to, DateTime? minutesKeptFrom, DateTime? hoursKeptFrom,
        RollupTier coarsest = RollupTier.Day, DateTime? wholeMonthsFrom = null)
    {
        var lo = from is { } f ? RollupTiers.Floor(RollupTier.Minute, f.UtcDateTime) : (DateTime?)null;
        var hi = to is { } t ? RollupTiers.Ceiling(RollupTier.Minute, t.UtcDateTime) : (DateTime?)null;
        var pieces = new List<RollupPiece>();
        if (coarsest == RollupTier.Month && wholeMonthsFrom is { } months && (lo is null || lo < months))
        {
            // Before the month totals were whole: days at most.
            var boundary = hi is { } end && end < months ? end : months;
            Cover(lo, boundary, RollupTier.Day, pieces, minutesKeptFrom, hoursKeptFrom);
            lo = boundary;
        }
        Cover(lo, hi, coarsest, pieces, minutesKeptFrom, hoursKeptFrom);
        return pieces;
    }

    /// <summary>
    /// Cuts the pieces that span <paramref name="at"/> (a whole day, so every tier's bucket lies on one side) in two, and marks
    /// each piece that lies before it; null cuts none and marks none.
    /// </summary>
    public static IReadOnlyList<(RollupPiece Piece, bool Before)> CutAt(IEnumerable<RollupPiece> pieces, DateTime? at)
    {
        var cut = new List<(RollupPiece, bool)>();
        foreach (var piece in pieces)
        {
            if (at is not { } t || piece.From >= t) cut.Add((piece, false));
            else if (piece.To <= t) cut.Add((piece, true));
            else cut.AddRange([(piece with { To = t }, true), (piece with { From = t }, false)]);
        }
        return cut;
    }

    private static void Cover(DateTime? lo, DateTime? hi, RollupTier tier, List<RollupPiece> pieces, DateTime? minutesKeptFrom, DateTime? hoursKeptFrom)
    {
        if (lo is { } l && hi is { } h && l >= h) return;
        if (tier == RollupTier.Minute)
        {
            // Minutes past their retention: the hour totals answer, to the whole hour.
            if (minutesKeptFrom is { } kept && (lo is null || lo < kept))
            {
                var boundary = hi is { } end && end < kept ? end : kept;
                pieces.Add(new RollupPiece(RollupTier.Hour, lo is { } a ? RollupTiers.Floor(RollupTier.Hour, a) : null,
                    RollupTiers.Ceiling(RollupTier.Hour, boundary)));
                lo = RollupTiers.Ceiling(RollupTier.Hour, boundary);
                if (hi is { } h2 && lo >= h2) return;
            }
            pieces.Add(new RollupPiece(RollupTier.Minute, lo, hi));
            return;
        }
        if (tier == RollupTier.Hour && hoursKeptFrom is { } hoursKept && (lo is null || lo < hoursKept))
        {
            var boundary = hi is { } end && end < hoursKept ? end : hoursKept;
            pieces.Add(new RollupPiece(RollupTier.Day, lo is { } a ? RollupTiers.Floor(RollupTier.Day, a) : null,
                RollupTiers.Ceiling(RollupTier.Day, boundary)));
            lo = RollupTiers.Ceiling(RollupTier.Day, boundary);
            if (hi is { } h2 && lo >= h2) return;
        }
        var start = lo is { } s ? RollupTiers.Ceiling(tier, s) : (DateTime?)null;
        var stop = hi is { } e ? RollupTiers.Floor(tier, e) : (DateTime?)null;
        var finer = tier switch { RollupTier.Month => RollupTier.Day, RollupTier.Day => RollupTier.Hour, _ => RollupTier.Minute };
        if (start is { } a2 && stop is { } b2 && a2 >= b2)
        {
            Cover(lo, hi, finer, pieces, minutesKeptFrom, hoursKeptFrom);
            return;
        }
        // An unbounded side has no edge.
        if (lo is not null) Cover(lo, start, finer, pieces, minutesKeptFrom, hoursKeptFrom);
        pieces.Add(new RollupPiece(tier, start, stop));
        if (hi is not null) Cover(stop, hi, finer, pieces, minutesKeptFrom, hoursKeptFrom);
    }
}
