using Router.Host.Storage;

namespace Router.Host.RequestLog;

public sealed partial class RequestLogQuery
{
    /// <summary>
    /// When each key was last used: the time of its newest request in the log (keys with none are left out).
    /// One <c>MAX(time)</c> per key, which the <c>requests_key_id_time</c> index answers by reading one entry, however
    /// long the log; a key's budget actor keeps no such time. The log is written in batches, so it may lag a moment.
    /// </summary>
    public IReadOnlyDictionary<string, string> LastUsed(IReadOnlyCollection<string> keyIds)
    {
        var lastUsed = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keyIds.Count == 0) return lastUsed;
        using var connection = storage.OpenLogConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(time) FROM requests WHERE key_id = @key";
        var key = command.AddParameter("@key", "");
        foreach (var keyId in keyIds)
        {
            key.Value = keyId;
            if (command.ExecuteScalar() is string time) lastUsed[keyId] = time;
        }
        return lastUsed;
    }
}
