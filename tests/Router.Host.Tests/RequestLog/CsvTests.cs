using System.Text;
using System.Text.Json;
using Router.Contracts.Wire;
using Router.Host.RequestLog;

namespace Router.Host.Tests.RequestLog;

public sealed class CsvTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    public void Fields_with_commas_quotes_or_line_breaks_are_quoted(string? field, string expected) =>
        Assert.Equal(expected, RequestLogQuery.Escape(field));

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "'\rx")]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("", "")]
    [InlineData(null, null)]
    public void Text_a_spreadsheet_would_run_as_a_formula_is_neutralised(string? field, string? expected) =>
        Assert.Equal(expected, RequestLogQuery.Text(field));

    [Fact]
    public void Caller_chosen_cells_are_neutralised_in_the_export_and_numbers_are_not()
    {
        var row = new RequestLogRow
        {
            Time = "2026-03-01T12:00:00.000Z", RequestId = "=cmd|' /C calc'!A0", KeyId = "key_1", KeyAlias = "@alias",
            RequestedModel = "-model", Status = 200, Cost = -0.5m, Attempts = 1,
        };

        var lines = Parse(RequestLogQuery.ToCsv([row]));
        var fields = lines[0].Zip(lines[1], (name, value) => (name, value)).ToDictionary(p => p.name, p => p.value);

        Assert.Equal("'=cmd|' /C calc'!A0", fields["request_id"]);
        Assert.Equal("'@alias", fields["key_alias"]);
        Assert.Equal("'-model", fields["requested_model"]);
        Assert.Equal("-0.5", fields["cost"]);
    }

    [Fact]
    public void A_log_page_as_csv_parses_back_to_its_fields()
    {
        var error = JsonDocument.Parse("""{"error":{"message":"bad, \"very\"\nbad","type":"invalid_request_error"}}""").RootElement.Clone();
        var row = new RequestLogRow
        {
            Time = "2026-03-01T12:00:00.000Z", RequestId = "req_1", KeyId = "key_1", KeyAlias = "a,b", RequestedModel = "m", Status = 400,
            UpstreamStatus = 400, ErrorOrigin = "provider", Cost = 0.0000125m, LatencyMs = 1.5, Attempts = 1, UpstreamError = error,
        };

        var lines = Parse(RequestLogQuery.ToCsv([row]));

        Assert.Equal(2, lines.Count);
        Assert.Equal(RequestLogQuery.CsvColumns, lines[0]);
        var fields = lines[0].Zip(lines[1], (name, value) => (name, value)).ToDictionary(p => p.name, p => p.value);
        Assert.Equal("a,b", fields["key_alias"]);
        Assert.Equal("400", fields["status"]);
        Assert.Equal("0.0000125", fields["cost"]);
        Assert.Equal("", fields["ttft_ms"]);
        Assert.Equal("false", fields["cache_hit"]);
        Assert.Equal("bad, \"very\"\nbad", JsonDocument.Parse(fields["upstream_error"]).RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    /// <summary>An RFC 4180 reader, independent of the writer.</summary>
    public static List<string[]> Parse(string csv)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
                i++;
            }
            else field.Append(c);
        }
        if (field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); records.Add([.. fields]); }
        return records;
    }
}
