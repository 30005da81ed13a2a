using System.Data.Common;
using System.Globalization;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// Writes a batch from the outbox to the database exactly once, though it may be there already: a commit whose
/// acknowledgement was lost (the connection dropped after COMMIT) leaves the batch in the outbox, written.
/// A batch is written in one transaction, so either all its rows are in the database or none is; it counts as
/// there when every one of its requests is, by request id and time. The request id alone would not do: a
/// caller may send the same <c>x-request-id</c> twice, and both requests are kept. Only a batch each of whose
/// requests has a twin logged with the same id in the same millisecond would be taken for written.
/// </summary>
public static class RequestLogReplay
{
    /// <summary>Inserts the batch unless it is in the database already; true when it inserted it.</summary>
    public static bool WriteOnce(RouterStorage storage, IReadOnlyList<RequestLogEntry> batch, RollupWriter? rollups = null)
    {
        using var connection = storage.OpenLogConnection();
        using var transaction = connection.BeginTransaction();
        // A batch already written has been added to the rollups with it: it is neither inserted nor added again.
        if (IsWritten(connection, transaction, batch)) return false;
        RequestLogRows.Insert(connection, transaction, batch, storage, rollups);
        transaction.Commit();
        return true;
    }

    private static bool IsWritten(DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> batch)
    {
        if (batch.Count == 0) return true;
        var wanted = Count(batch.Select(e => (e.RequestId, RequestLogWriter.FormatTime(e.Time))));
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var ids = batch.Select(e => e.RequestId).Distinct().ToList();
        var names = ids.Select((id, i) =>
        {
            var name = "@id" + i.ToString(CultureInfo.InvariantCulture);
            command.AddParameter(name, id);
            return name;
        }).ToList();
        // The time range lets the database use the time index when one id has many rows (a caller that reuses it).
        command.AddParameter("@from", wanted.Keys.Min(k => k.Time));
        command.AddParameter("@to", wanted.Keys.Max(k => k.Time));
        command.CommandText = $"SELECT request_id, time FROM requests WHERE time >= @from AND time <= @to AND request_id IN ({string.Join(", ", names)})";
        var found = new List<(string, string)>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) found.Add((reader.GetString(0), reader.GetString(1)));
        var present = Count(found);
        return wanted.All(w => present.GetValueOrDefault(w.Key) >= w.Value);
    }

    private static Dictionary<(string Id, string Time), int> Count(IEnumerable<(string Id, string Time)> keys)
    {
        var counts = new Dictionary<(string Id, string Time), int>();
        foreach (var key in keys) counts[key] = counts.GetValueOrDefault(key) + 1;
        return counts;
    }
}
