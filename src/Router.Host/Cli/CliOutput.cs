using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Router.Host.Cli;

/// <summary>
/// What the command line prints: the node's JSON as it came (for scripts), or tables and lines for a
/// person. Values are printed as text, never as Spectre markup, so a bracket in a name stays a bracket.
/// </summary>
public static class CliOutput
{
    private static readonly Lazy<IAnsiConsole> Console = new(() =>
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        // Piped to a file or a pager there is no terminal width to respect: long addresses stay on one line.
        if (System.Console.IsOutputRedirected) console.Profile.Width = 200;
        return console;
    });

    /// <summary>JSON the command line writes itself, with text as written (no \u0027 for a quote).</summary>
    public static readonly JsonSerializerOptions JsonText = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The node's answer unchanged: what a script gets with <c>--json</c>.</summary>
    public static void Json(string body) => System.Console.Out.WriteLine(body.TrimEnd());

    public static void Line(string text) => System.Console.Out.WriteLine(text);

    public static void Table(string? title, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table { Border = TableBorder.Rounded };
        if (title is not null) table.Title = new TableTitle(title);
        foreach (var column in columns) table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
        var any = false;
        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell)).ToArray());
            any = true;
        }
        if (!any) table.AddRow(columns.Select((_, i) => (IRenderable)new Text(i == 0 ? "(none)" : "")).ToArray());
        Console.Value.Write(table);
    }

    /// <summary>Name/value pairs, one per line, for a single object.</summary>
    public static void Pairs(string? title, IEnumerable<(string Name, string Value)> pairs)
    {
        var table = new Table { Border = TableBorder.Rounded };
        if (title is not null) table.Title = new TableTitle(title);
        table.AddColumn("").AddColumn("").HideHeaders();
        foreach (var (name, value) in pairs) table.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value));
        Console.Value.Write(table);
    }

    public static string Yes(bool value) => value ? "yes" : "no";

    public static string Number(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "-";

    public static string Money(decimal? value) => value is { } v ? "$" + v.ToString("0.######", CultureInfo.InvariantCulture) : "-";

    public static string Time(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    public static string Text(string? value) => string.IsNullOrEmpty(value) ? "-" : value;
}
