using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Router.Host.Storage;

namespace Router.Host.Alerts;

/// <summary>One alert as kept on disk: the event and each target's delivery as last known.</summary>
public sealed record StoredAlert(long Id, AlertEvent Alert, IReadOnlyList<DeliveryView> Deliveries);

/// <summary>
/// The node's alert history in a SQLite file of its own in the data directory (<see cref="FileName"/>), so that
/// <c>/ui/alerts</c> still lists the last alerts after a restart. Its own file, not the configured storage: the
/// alerts that matter most are about that storage being down, and each node of a pair has its own history.
/// Used from <see cref="AlertHistoryWriter"/>'s loop only (and once at start, to read back what was kept).
/// </summary>
public sealed class AlertHistoryStore(string path)
{
    public const string FileName = "alerts.db";

    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
    private bool _prepared;

    /// <summary>The last <paramref name="count"/> alerts kept, newest first; none when the file does not exist yet.</summary>
    public IReadOnlyList<StoredAlert> Load(int count)
    {
        if (!File.Exists(path)) return [];
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, alert, deliveries FROM alert_history ORDER BY id DESC LIMIT @count";
        command.AddParameter("@count", count);
        using var reader = command.ExecuteReader();
        List<StoredAlert> alerts = [];
        while (reader.Read())
        {
            // A row this version cannot read (written by another one) is left out rather than failing the start.
            var alert = Read(reader.GetString(1), AlertHistoryJson.Default.AlertEvent);
            var deliveries = Read(reader.GetString(2), AlertHistoryJson.Default.IReadOnlyListDeliveryView);
            if (alert is not null && deliveries is not null) alerts.Add(new StoredAlert(reader.GetInt64(0), alert, deliveries));
        }
        return alerts;
    }

    /// <summary>Writes the alerts (new ones or their deliveries changed), then forgets all but the newest <paramref name="keep"/>.</summary>
    public void Save(IReadOnlyCollection<StoredAlert> alerts, int keep)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO alert_history (id, alert, deliveries) VALUES (@id, @alert, @deliveries)
            ON CONFLICT (id) DO UPDATE SET deliveries = excluded.deliveries
            """;
        foreach (var stored in alerts)
        {
            command.Parameters.Clear();
            command.AddParameter("@id", stored.Id);
            command.AddParameter("@alert", JsonSerializer.Serialize(stored.Alert, AlertHistoryJson.Default.AlertEvent));
            command.AddParameter("@deliveries", JsonSerializer.Serialize(stored.Deliveries, AlertHistoryJson.Default.IReadOnlyListDeliveryView));
            command.ExecuteNonQuery();
        }
        command.Parameters.Clear();
        command.CommandText = "DELETE FROM alert_history WHERE id NOT IN (SELECT id FROM alert_history ORDER BY id DESC LIMIT @keep)";
        command.AddParameter("@keep", keep);
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (_prepared) return connection;
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS alert_history (
                id         INTEGER PRIMARY KEY,
                alert      TEXT NOT NULL,
                deliveries TEXT NOT NULL
            );
            """;
        command.ExecuteNonQuery();
        _prepared = true;
        return connection;
    }

    private static T? Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Source-generated JSON of the rows of <see cref="AlertHistoryStore"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(AlertEvent))]
[JsonSerializable(typeof(IReadOnlyList<DeliveryView>))]
internal sealed partial class AlertHistoryJson : JsonSerializerContext;
