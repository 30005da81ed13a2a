using System.Data.Common;
using Router.Host.Storage;

namespace Router.Host.RequestLog;

/// <summary>
/// The names each key was logged under, its alias and its display prefix, in <c>request_log_keys</c> with the time each was last
/// logged: the key filter, which matches a key's id, alias or prefix, finds the ids a name stands for here and reads the rows of
/// each from the key id's index, so that a row pays for no index on its alias or its prefix. A name keeps every key it was
/// logged for (an alias another key had before; a prefix two keys share); retention forgets the names of deleted rows. A log
/// written before the table existed fills it once (<see cref="RequestLogKeysFill"/>).
/// </summary>
public static class LogKeyNames
{
    /// <summary>Adds the names of some of a batch's keys to <paramref name="newest"/> (<see cref="LogValues.Newest"/>).</summary>
    public static void Collect(Dictionary<(string Name, string KeyId), DateTimeOffset> newest, IReadOnlyList<RequestLogEntry> entries)
    {
        LogValues.KeepNewest(newest, entries, e => e is { KeyId: { } id, KeyAlias: { } alias } ? (alias, id) : null);
        LogValues.KeepNewest(newest, entries, e => e is { KeyId: { } id, KeyPrefix: { } prefix } ? (prefix, id) : null);
    }

    /// <summary>Records the names <see cref="Collect"/> gathered from a batch.</summary>
    public static void Write(DbConnection connection, DbTransaction transaction, Dictionary<(string Name, string KeyId), DateTimeOffset> newest) =>
        LogValues.Upsert(connection, transaction, "request_log_keys", ("name", "key_id"), newest);

    /// <summary>The ids of the keys logged under <paramref name="name"/>, as an alias or a prefix.</summary>
    public static List<string> KeyIds(DbConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_id FROM request_log_keys WHERE name = @name ORDER BY key_id";
        command.AddParameter("@name", name);
        return command.ReadStrings();
    }

    /// <summary>Forgets the names last logged before <paramref name="cutoff"/>: retention has deleted all their rows.</summary>
    public static void Prune(DbCommand command, string cutoff) => LogValues.Prune(command, "request_log_keys", cutoff);
}
