using System.Data.Common;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>Everything counted over a range, for the dashboard's headline numbers.</summary>
public sealed record RequestTotals(
    long Requests, long PromptTokens, long CompletionTokens, decimal Cost, long Errors, long RouterErrors, long ProviderErrors,
    long CacheHits, decimal SavedCost)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
    public double CacheHitRate => Requests == 0 ? 0 : (double)CacheHits / Requests;
}

/// <summary>Requests and cost of one group in one time bucket.</summary>
public sealed record SeriesPoint(string Bucket, string? Group, long Requests, decimal Cost);

/// <summary>Nearest-rank percentiles of one group (null group: every request).</summary>
public sealed record LatencyPercentiles(string? Group, long Requests, double P50, double P95, double P99, double? TtftP50, double OverheadP95);

/// <summary>How many requests failed with one status, by whom (router or provider) and at which provider.</summary>
public sealed record ErrorCount(string Origin, int Status, string? Provider, long Requests);

/// <summary>What the dashboard's filters offer: the values present in the log.</summary>
public sealed record LogChoices(IReadOnlyList<string> Models, IReadOnlyList<string> Keys, IReadOnlyList<string> Providers, IReadOnlyList<int> Statuses);

/// <summary>Time bucket widths: the request log's times are ISO 8601 text, so a bucket is a prefix of it.</summary>
public enum BucketWidth { Minute = 16, Hour = 13, Day = 10 }

/// <summary>The dashboard's reads of the request log: totals, time series, percentiles and errors over a range.</summary>
public sealed partial class RequestLogQuery
{
    public RequestTotals Totals(DateTimeOffset? from, DateTimeOffset? to)
    {
        using var connection = storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        var where = Where(new RequestLogFilter(From: from, To: to), command);
        command.CommandText = $"""
            SELECT COUNT(*), {Count("prompt_tokens")}, {Count("completion_tokens")}, COALESCE(SUM(cost), 0), {Count("CASE WHEN status >= 400 THEN 1 ELSE 0 END")},
                   {Count("CASE WHEN error_origin = 'router' THEN 1 ELSE 0 END")}, {Count("CASE WHEN error_origin = 'provider' THEN 1 ELSE 0 END")},
                   {Count("CASE WHEN cache_hit <> 0 THEN 1 ELSE 0 END")}, COALESCE(SUM(saved_cost), 0)
            FROM requests{where}
            """;
        using var r = command.ExecuteReader();
        r.Read();
        return new RequestTotals(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), Money(r.GetDouble(3)), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6),
            r.GetInt64(7), Money(r.GetDouble(8)));
    }

    /// <summary>Requests and cost per bucket and group (<see cref="Groups"/>: model, provider or key), oldest bucket first.</summary>
    public IReadOnlyList<SeriesPoint> Series(string groupBy, BucketWidth width, DateTimeOffset? from, DateTimeOffset? to)
    {
        var group = Groups[groupBy];
        using var connection = storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        var where = Where(new RequestLogFilter(From: from, To: to), command);
        command.CommandText = $"""
            SELECT substr(time, 1, {(int)width}) AS bucket, {group} AS g, COUNT(*), SUM(cost)
            FROM requests{where} GROUP BY bucket, g ORDER BY bucket, g
            """;
        var points = new List<SeriesPoint>();
        using var r = command.ExecuteReader();
        while (r.Read()) points.Add(new SeriesPoint(r.GetString(0), NullableString(r, 1), r.GetInt64(2), Money(r.GetDouble(3))));
        return points;
    }

    /// <summary>
    /// Latency p50/p95/p99, time-to-first-token p50 (streamed requests only) and overhead p95 per group, and
    /// first a row over every request (group null). Nearest rank: the smallest value with at least p% at or below it.
    /// </summary>
    public IReadOnlyList<LatencyPercentiles> Percentiles(string groupBy, DateTimeOffset? from, DateTimeOffset? to)
    {
        var group = Groups[groupBy];
        using var connection = storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        var where = Where(new RequestLogFilter(From: from, To: to), command);
        var result = new List<LatencyPercentiles>();
        foreach (var partition in new[] { "NULL", group })
        {
            command.CommandText = $"""
                WITH scoped AS (SELECT {partition} AS g, * FROM requests{where}),
                lat AS (SELECT g, latency_ms AS v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY latency_ms) AS n, COUNT(*) OVER (PARTITION BY g) AS c FROM scoped),
                ovh AS (SELECT g, overhead_ms AS v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY overhead_ms) AS n, COUNT(*) OVER (PARTITION BY g) AS c FROM scoped),
                ttf AS (SELECT g, ttft_ms AS v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY ttft_ms) AS n, COUNT(*) OVER (PARTITION BY g) AS c
                        FROM scoped WHERE ttft_ms IS NOT NULL)
                SELECT l.g, l.c,
                       MAX(CASE WHEN l.n = (l.c * 50 + 99) / 100 THEN l.v END),
                       MAX(CASE WHEN l.n = (l.c * 95 + 99) / 100 THEN l.v END),
                       MAX(CASE WHEN l.n = (l.c * 99 + 99) / 100 THEN l.v END),
                       (SELECT v FROM ttf t WHERE COALESCE(t.g, '') = COALESCE(l.g, '') AND t.n = (t.c * 50 + 99) / 100),
                       (SELECT v FROM ovh o WHERE COALESCE(o.g, '') = COALESCE(l.g, '') AND o.n = (o.c * 95 + 99) / 100)
                FROM lat l GROUP BY l.g, l.c ORDER BY l.g
                """;
            using var r = command.ExecuteReader();
            while (r.Read())
                result.Add(new LatencyPercentiles(NullableString(r, 0), r.GetInt64(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4),
                    r.IsDBNull(5) ? null : r.GetDouble(5), r.GetDouble(6)));
        }
        return result;
    }

    /// <summary>Failed requests (status 400 and up) by origin, status and provider, most frequent first.</summary>
    public IReadOnlyList<ErrorCount> Errors(DateTimeOffset? from, DateTimeOffset? to)
    {
        using var connection = storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        var where = Where(new RequestLogFilter(From: from, To: to), command);
        command.CommandText = $"""
            SELECT COALESCE(error_origin, 'router'), status, provider, COUNT(*)
            FROM requests{(where.Length == 0 ? " WHERE" : where + " AND")} status >= 400
            GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3
            """;
        var errors = new List<ErrorCount>();
        using var r = command.ExecuteReader();
        while (r.Read()) errors.Add(new ErrorCount(r.GetString(0), r.GetInt32(1), NullableString(r, 2), r.GetInt64(3)));
        return errors;
    }

    /// <summary>A sum of whole numbers as a 64-bit integer in SQLite and PostgreSQL alike (PostgreSQL sums bigints as numeric).</summary>
    private static string Count(string expression) => $"CAST(COALESCE(SUM({expression}), 0) AS BIGINT)";

    /// <summary>The models, keys (alias, else display prefix), providers and statuses present, for filter lists.</summary>
    public LogChoices Choices(int limit = 200)
    {
        using var connection = storage.OpenLogConnection();
        return new LogChoices(
            Distinct(connection, "requested_model", limit), Distinct(connection, "COALESCE(key_alias, key_prefix)", limit),
            Distinct(connection, "provider", limit),
            Distinct(connection, "CAST(status AS TEXT)", limit).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList());
    }

    private static List<string> Distinct(DbConnection connection, string column, int limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT {column} AS v FROM requests WHERE {column} IS NOT NULL ORDER BY v LIMIT @limit";
        command.AddParameter("@limit", limit);
        var values = new List<string>();
        using var r = command.ExecuteReader();
        while (r.Read()) values.Add(r.GetString(0));
        return values;
    }
}
