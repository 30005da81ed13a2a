namespace Router.Contracts.Configuration;

/// <summary>HOCON as the router writes it: settings it generates for Akka (paths, connection strings) and configs it exports.</summary>
public static class HoconQuoting
{
    /// <summary>Quotes a value for HOCON so paths and connection strings survive any character.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
