using System.Data;
using System.Data.Common;

namespace Router.Host.Storage;

/// <summary>Parameters on any driver's command (<c>AddWithValue</c> is each driver's own, not ADO.NET's), and reading a column.</summary>
public static class DbCommandExtensions
{
    public static DbParameter AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>A typed parameter whose value is set for each execution of a prepared command.</summary>
    public static DbParameter AddParameter(this DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>The first column of every row the command reads, as text.</summary>
    public static List<string> ReadStrings(this DbCommand command)
    {
        var strings = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) strings.Add(reader.GetString(0));
        return strings;
    }
}
