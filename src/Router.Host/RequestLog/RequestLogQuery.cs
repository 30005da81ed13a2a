using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Which requests to read: every filter given must match. Times are UTC and compared as written. A request matches
/// <paramref name="Tags"/> when it has every one of them (exactly, case and all), whatever other tags it has.
/// </summary>
public sealed record RequestLogFilter(
    string? Key = null, string? Model = null, string? Provider = null, int? Status = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? RequestId = null, IReadOnlyList<string>? Tags = null);

/// <summary>Reads the request log for <c>/spend/logs</c> and <c>/spend/report</c>.</summary>
public sealed partial class RequestLogQuery(RouterStorage storage)
{
    private const string Columns = """
        time, request_id, key_id, key_prefix, key_alias, requested_model, routed_model, provider, deployment, status, upstream_status,
        error_origin, prompt_tokens, completion_tokens, cached_tokens, cost, cache_hit, saved_cost, latency_ms, ttft_ms, overhead_ms,
        attempts, upstream_error, estimated, metadata, tags, mocked
        """;

    private static Dictionary<string, List<RequestAttemptRow>> Attempts(DbConnection connection, List<string> ids)
    {
        using var command = connection.CreateCommand();
        var names = ids.Select((id, i) =>
        {
            command.AddParameter($"@r{i}", id);
            return $"@r{i}";
        });
        command.CommandText = $"""
            SELECT request_id, attempt, provider, deployment, status, upstream_status, latency_ms, error_origin, verdict
            FROM request_attempts WHERE request_id IN ({string.Join(", ", names)}) ORDER BY request_id, attempt
            """;
        var result = new Dictionary<string, List<RequestAttemptRow>>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            if (!result.TryGetValue(id, out var list)) result[id] = list = [];
            list.Add(new RequestAttemptRow(reader.GetInt32(1), NullableString(reader, 2), NullableString(reader, 3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.GetDouble(6), NullableString(reader, 7), reader.GetString(8)));
        }
        return result;
    }

    public static readonly IReadOnlyDictionary<string, string> Groups = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["model"] = "requested_model",
        ["provider"] = "provider",
        ["key"] = "key_id",
        ["day"] = "substr(time, 1, 10)",
    };

    /// <summary>The matching rows' source (<see cref="PageSource"/>) and conditions, as the <c>FROM</c> and <c>WHERE</c> of a count.</summary>
    private string FromWhere(RequestLogFilter filter, DbCommand command)
    {
        var source = PageSource(filter, command, inOrder: false);
        var (clauses, alternatives) = Conditions(filter, command, source.Time);
        if (alternatives.Count > 0) clauses.Add("(" + string.Join(" OR ", alternatives.Select(a => $"({a})")) + ")");
        return source.From + (clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses));
    }

    private static RequestLogRow Read(DbDataReader r) => new()
    {
        Time = r.GetString(0),
        RequestId = r.GetString(1),
        KeyId = NullableString(r, 2),
        KeyPrefix = NullableString(r, 3),
        KeyAlias = NullableString(r, 4),
        RequestedModel = NullableString(r, 5),
        RoutedModel = NullableString(r, 6),
        Provider = NullableString(r, 7),
        Deployment = NullableString(r, 8),
        Status = r.GetInt32(9),
        UpstreamStatus = r.IsDBNull(10) ? null : r.GetInt32(10),
        ErrorOrigin = NullableString(r, 11),
        PromptTokens = r.GetInt64(12),
        CompletionTokens = r.GetInt64(13),
        CachedTokens = r.GetInt64(14),
        Cost = Money(r.GetDouble(15)),
        CacheHit = r.GetInt64(16) != 0,
        SavedCost = Money(r.GetDouble(17)),
        LatencyMs = r.GetDouble(18),
        TtftMs = r.IsDBNull(19) ? null : r.GetDouble(19),
        OverheadMs = r.GetDouble(20),
        Attempts = r.GetInt32(21),
        UpstreamError = r.IsDBNull(22) ? null : ParseJson(r.GetString(22)),
        Estimated = r.GetInt64(23) != 0,
        Metadata = r.IsDBNull(24) ? null : ParseJson(r.GetString(24)),
        Tags = TagsColumn.Read(NullableString(r, 25)),
        Mocked = r.GetInt64(26) != 0,
    };

    private static JsonElement ParseJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static string? NullableString(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    /// <summary>Costs are kept as REAL; twelve decimals hold any per-token price exactly.</summary>
    internal static decimal Money(double value) => Math.Round((decimal)value, 12);

    public static readonly string[] CsvColumns =
    [
        "time", "request_id", "key_id", "key_prefix", "key_alias", "requested_model", "routed_model", "provider", "deployment", "status",
        "upstream_status", "error_origin", "prompt_tokens", "completion_tokens", "cached_tokens", "cost", "cache_hit", "saved_cost",
        "latency_ms", "ttft_ms", "overhead_ms", "attempts", "upstream_error", "estimated", "metadata", "tags", "mocked",
    ];

    /// <summary>RFC 4180: a header row, then one line per request; fields with a comma, quote or line break are quoted.</summary>
    public static string ToCsv(IEnumerable<RequestLogRow> rows)
    {
        var csv = new StringBuilder(CsvHeader);
        foreach (var r in rows) csv.Append(CsvLine(r));
        return csv.ToString();
    }

    public static readonly string CsvHeader = string.Join(',', CsvColumns) + "\r\n";

    /// <summary>One request as a CSV line, its line break included.</summary>
    public static string CsvLine(RequestLogRow r)
    {
        string?[] fields =
        [
            r.Time, Text(r.RequestId), r.KeyId, Text(r.KeyPrefix), Text(r.KeyAlias), Text(r.RequestedModel), Text(r.RoutedModel),
            Text(r.Provider), Text(r.Deployment), Num(r.Status), Num(r.UpstreamStatus), r.ErrorOrigin, Num(r.PromptTokens),
            Num(r.CompletionTokens), Num(r.CachedTokens), Num(r.Cost), r.CacheHit ? "true" : "false", Num(r.SavedCost),
            Num(r.LatencyMs), Num(r.TtftMs), Num(r.OverheadMs), Num(r.Attempts), r.UpstreamError?.GetRawText(), r.Estimated ? "true" : "false",
            // The client's metadata and tags as JSON (an object, an array of strings): no separator a tag could hold.
            r.Metadata?.GetRawText(), TagsColumn.Write(r.Tags), r.Mocked ? "true" : "false",
        ];
        return string.Join(',', fields.Select(Escape)) + "\r\n";
    }

    public static string Escape(string? field)
    {
        if (field is null) return "";
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// A text a caller or a provider chose (a request id, an alias, a model name), made harmless to open in a
    /// spreadsheet: one starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return would be
    /// read as a formula, so it gets a leading <c>'</c> (OWASP's advice on CSV injection). Numbers are ours and
    /// go as they are.
    /// </summary>
    public static string? Text(string? field) =>
        field is { Length: > 0 } && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + field : field;

    private static string Num(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture) ?? "";
}
