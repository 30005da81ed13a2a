using Npgsql;

namespace Router.Host.Cluster;

/// <summary>
/// Named leases in the pair's shared PostgreSQL (<c>cluster_leases</c>): a lease is held by one owner
/// until it expires, and only its owner renews or releases it. Expiry is the database's clock, so the
/// two nodes' clocks need not agree.
/// </summary>
public sealed class LeaseStore(string connectionString)
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS cluster_leases (
            name       TEXT PRIMARY KEY,
            owner      TEXT NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL
        )
        """;

    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);
    private volatile bool _prepared;

    /// <summary>Takes the lease, or renews it for its owner; false while someone else holds an unexpired one.</summary>
    public async Task<bool> TryAcquireAsync(string name, string owner, TimeSpan ttl, CancellationToken ct)
    {
        await PrepareAsync(ct);
        await using var command = _source.CreateCommand("""
            INSERT INTO cluster_leases (name, owner, expires_at) VALUES (@name, @owner, now() + @ttl)
            ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
                WHERE cluster_leases.owner = EXCLUDED.owner OR cluster_leases.expires_at < now()
            RETURNING owner
            """);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("ttl", ttl);
        return await command.ExecuteScalarAsync(ct) is string holder && holder == owner;
    }

    /// <summary>Gives the lease up if <paramref name="owner"/> holds it.</summary>
    public async Task ReleaseAsync(string name, string owner, CancellationToken ct)
    {
        await PrepareAsync(ct);
        await using var command = _source.CreateCommand("DELETE FROM cluster_leases WHERE name = @name AND owner = @owner");
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("owner", owner);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Who holds the lease now, if anyone.</summary>
    public async Task<string?> HolderAsync(string name, CancellationToken ct)
    {
        await PrepareAsync(ct);
        await using var command = _source.CreateCommand("SELECT owner FROM cluster_leases WHERE name = @name AND expires_at >= now()");
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private async Task PrepareAsync(CancellationToken ct)
    {
        if (_prepared) return;
        await using var command = _source.CreateCommand(CreateTable);
        await command.ExecuteNonQueryAsync(ct);
        _prepared = true;
    }
}
