using System.Data.Common;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Router.Host.Storage.Journal;

/// <summary>
/// What the journal and the snapshot store share: the database they write to, named in their plugin
/// config (<c>storage = sqlite</c> with the data directory, or <c>postgres</c> with a connection string,
/// written there by <see cref="RouterStorage.PersistenceConfig"/>), and the payload's serialization.
/// </summary>
internal sealed class JournalTables(RouterStorage storage, Serialization serialization) : IDisposable
{
    public static JournalTables FromConfig(Config config, ActorSystem system)
    {
        var location = config.GetString("location") ?? throw new ConfigurationException("The journal plugin config has no location");
        RouterStorage storage = config.GetString("storage") switch
        {
            "postgres" => new PostgresStorage(location),
            "sqlite" => new SqliteStorage(location),
            var other => throw new ConfigurationException($"The journal plugin config names an unknown storage '{other}'"),
        };
        return new JournalTables(storage, system.Serialization);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on an open connection. When the database fails under it, the pooled
    /// connections are let go and the work runs once more on a new one: after a restart of the server, the
    /// first write would otherwise fail on a connection that led to the server that went, and the actor
    /// with it. The work must be safe to run twice: one transaction, or reads only.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<DbConnection, Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = storage.OpenConnection();
                return await work(connection);
            }
            catch (Exception e) when (RouterStorage.IsDatabaseFailure(e))
            {
                storage.ForgetConnections();
                if (attempt == 2) throw;
            }
        }
    }

    /// <summary>The serializer's id, its manifest for the payload, and the bytes.</summary>
    public (int SerializerId, string Manifest, byte[] Bytes) Serialize(object payload)
    {
        var serializer = serialization.FindSerializerFor(payload);
        return (serializer.Identifier, Serialization.ManifestFor(serializer, payload), serializer.ToBinary(payload));
    }

    public object Deserialize(byte[] bytes, int serializerId, string manifest) => serialization.Deserialize(bytes, serializerId, manifest);

    public void Dispose() => storage.Dispose();
}
