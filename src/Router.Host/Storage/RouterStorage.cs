using System.Data.Common;
using System.Net.Sockets;
using Akka.Configuration;
using Router.Contracts.Configuration;

namespace Router.Host.Storage;

/// <summary>
/// Where the router keeps what it stores: the actors' journal and snapshots, the directory of virtual keys
/// (<c>virtual_keys</c>) and the request log (<c>requests</c>, <c>request_attempts</c>). SQLite in the data
/// directory for the single node (<see cref="SqliteStorage"/>), one PostgreSQL database shared by a pair
/// (<see cref="PostgresStorage"/>). The statements are shared: <c>@name</c> parameters, which both drivers
/// take, and the few differences asked of the dialect here.
/// </summary>
public abstract class RouterStorage : IDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static RouterStorage Create(RouterSettings settings) => settings.Storage.Provider switch
    {
        StorageProvider.Postgres => new PostgresStorage(settings.Storage.ConnectionString
                                                        ?? throw new InvalidOperationException("router.storage.connection-string is missing")),
        _ => new SqliteStorage(settings.DataDir),
    };

    /// <summary>Where the data lives, for the startup report: host and database, never a password.</summary>
    public static string Describe(RouterSettings settings) => settings.Storage.Provider switch
    {
        StorageProvider.Postgres => PostgresStorage.Describe(settings.Storage.ConnectionString ?? ""),
        _ => SqliteStorage.Describe(settings.DataDir),
    };

    /// <summary>The journal's and snapshot store's provider and connection string, over <c>akka.conf</c>'s defaults.</summary>
    public abstract Config PersistenceConfig();

    /// <summary>Creates the tables the router keeps itself, when missing (the journal's are Akka's, created by it).</summary>
    public abstract void Prepare();

    /// <summary>An open connection to the database of the key directory.</summary>
    public abstract DbConnection OpenConnection();

    /// <summary>An open connection to the request log's database, which also keeps the stored Responses answers.</summary>
    public abstract DbConnection OpenLogConnection();

    /// <summary>
    /// Rows per INSERT statement for the request log. SQLite binds parameters by name with a linear search,
    /// so a statement of many rows costs more per row than one of a single row; PostgreSQL saves a round trip per row.
    /// </summary>
    public virtual int RowsPerInsert => 1;

    /// <summary>
    /// A condition true when <paramref name="column"/> holds a JSON array of strings with one equal to the value of
    /// <paramref name="parameter"/> (false for NULL): each database reads JSON with its own functions.
    /// </summary>
    public abstract string JsonArrayContains(string column, string parameter);

    /// <summary>
    /// The rows of <c>request_tags</c> for the tag in <paramref name="tagParameter"/>, each joined to its request (as
    /// <c>requests</c>): what a count filtered by a tag reads.
    /// </summary>
    public string TaggedRequests(string tagParameter) =>
        $"request_tags JOIN requests ON tag = {tagParameter} AND requests.time = tagged_time AND requests.{RequestRowId} = tagged_row";

    /// <summary>
    /// The same rows for a page, to be read in <c>request_tags</c>' order (tagged_time, tagged_row) until the page is full:
    /// by default the same join, which SQLite reads that way.
    /// </summary>
    public virtual string TaggedRequestsInOrder(string tagParameter) => TaggedRequests(tagParameter);

    /// <summary>
    /// The expression of a request row's id, unique and growing as rows are written: the order of rows written in the same
    /// millisecond, and the second half of a page's cursor (<c>RequestLogCursor</c>).
    /// </summary>
    public abstract string RequestRowId { get; }

    /// <summary>True when a write failed on a uniqueness constraint (an id, hash or alias taken).</summary>
    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>An unopened connection to the key directory's database, for the probe.</summary>
    protected abstract DbConnection CreateConnection();

    /// <summary>True when the database answers a query within two seconds; the reason otherwise.</summary>
    public async Task<(bool Ok, string Detail)> ProbeAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await using var connection = CreateConnection();
            await connection.OpenAsync(timeout.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(timeout.Token);
            return (true, "ok");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Unreachable();
            return (false, $"no answer within {ProbeTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            Unreachable();
            return (false, e.Message);
        }
    }

    /// <summary>The probe found the database gone: connections kept for later may lead to a server that is no more.</summary>
    protected virtual void Unreachable()
    {
    }

    /// <summary>Failures of the database a background writer logs and survives, rather than dies of.</summary>
    public static bool IsDatabaseFailure(Exception e) => e is DbException or IOException or SocketException or InvalidOperationException or TimeoutException;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
