using System.Data.Common;
using System.Globalization;

namespace Router.Host.RequestLog;

/// <summary>
/// Where the rollups changed shape: the newest day the tables of <see cref="RollupGrouping.Combined"/> held when those by
/// model and by key came ('' on a database that had none), kept in <c>request_rollup_state</c> (its schema writes it once).
/// Requests of that day and before are counted in the combined tables, later ones in the split tables, so each request is
/// counted in exactly one shape and a read takes each day from the shape that holds it. The month tables came with the split
/// tables and count what they count, but on a database that had rollups before them only from the month after the newest day
/// counted then (the <c>months</c> row): an earlier month misses its first days, so its days are read instead.
/// </summary>
public static class RollupSplit
{
    /// <summary>The newest day counted in the combined tables, as its bucket key; '' when none is.</summary>
    public static string LastCombinedDay(DbConnection connection, DbTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM request_rollup_state WHERE name = 'split'";
        return command.ExecuteScalar() as string ?? "";
    }

    /// <summary>Whether a request of <paramref name="time"/> is counted in the combined tables.</summary>
    public static bool IsCombined(DateTimeOffset time, string lastCombinedDay) =>
        lastCombinedDay.Length > 0 && string.CompareOrdinal(RollupTiers.Key(RollupTier.Day, time), lastCombinedDay) <= 0;

    /// <summary>The first time the split tables count; null when they count every time.</summary>
    public static DateTime? FirstSplitTime(string lastCombinedDay) => lastCombinedDay.Length == 0
        ? null
        : RollupTiers.Next(RollupTier.Day, Day(lastCombinedDay));

    /// <summary>The first month the month tables count whole, given the <c>months</c> row; null when they count every month.</summary>
    public static DateTime? FirstWholeMonth(string lastDayBeforeMonths) => lastDayBeforeMonths.Length == 0
        ? null
        : RollupTiers.Next(RollupTier.Month, RollupTiers.Floor(RollupTier.Month, Day(lastDayBeforeMonths)));

    private static DateTime Day(string bucket) => DateTime.Parse(bucket, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
}
