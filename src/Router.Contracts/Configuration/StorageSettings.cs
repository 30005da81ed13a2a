namespace Router.Contracts.Configuration;

/// <summary>Where the router keeps what it stores (<c>router.storage.provider</c>).</summary>
public enum StorageProvider
{
    /// <summary>SQLite files in the data directory: the embedded single node.</summary>
    Sqlite,
    /// <summary>One PostgreSQL database, shared by the nodes of a pair.</summary>
    Postgres,
}

/// <summary>
/// <c>router.storage</c>: the key budgets' journal and snapshots, the key directory and the request log, in
/// SQLite in the data directory (the default) or in the PostgreSQL database <paramref name="ConnectionString"/>
/// names (Npgsql's <c>Host=…;Database=…;Username=…;Password=…</c>).
/// </summary>
public sealed record StorageSettings(StorageProvider Provider, string? ConnectionString)
{
    public static readonly StorageSettings Standard = new(StorageProvider.Sqlite, null);

    /// <summary>The file the password was read from (<c>router.storage.password-file</c>), already merged into <see cref="ConnectionString"/>.</summary>
    public string? PasswordFile { get; init; }

    // Records print every property; the connection string carries a password and must never reach a log line.
    public override string ToString() => Provider.ToString();
}
