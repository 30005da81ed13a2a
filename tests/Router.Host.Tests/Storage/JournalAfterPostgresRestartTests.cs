using Router.Host.Storage;
using static Router.Host.Tests.Storage.JournalRecorder;
using static Router.Host.Tests.Storage.RecorderSystem;

namespace Router.Host.Tests.Storage;

/// <summary>
/// PostgreSQL restarted under a running router: a persistent actor whose journal write fails is stopped, so
/// the first write after the restart must not go out on a pooled connection to the server that went. The
/// readiness probe, which finds the database gone, lets the journal's pooled connections go. A class of its
/// own: it stops its PostgreSQL.
/// </summary>
public sealed class JournalAfterPostgresRestartTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_first_write_after_postgres_restarted_succeeds_once_the_probe_found_it_gone()
    {
        // Idle connections checked hourly rather than every few seconds: only the probe can find the stale one.
        using var storage = new PostgresStorage(await postgres.NewDatabaseAsync() + ";Keepalive=3600");
        storage.Prepare();
        await using var recorders = new RecorderSystem(storage);
        var recorder = recorders.Start("key-a");
        await AskAsync<string>(recorder, new Persist("before"));

        await postgres.Server.StopAsync();
        Assert.False((await storage.ProbeAsync(TestContext.Current.CancellationToken)).Ok);
        await postgres.Server.StartAsync();

        await AskAsync<string>(recorder, new Persist("after"));
        Assert.Equal(["before", "after"], (await AskAsync<State>(recorder, new GetState())).RequestIds);
    }
}
