// The floor under the router's idle memory that its design card sets: Kestrel, an Akka.NET actor system (Akka.Hosting) and
// Akka.Persistence.Sql's journal and snapshot store on SQLite, configured as the router's single node has them, with one
// persistent actor that has recovered and written an event (as a key's journal does). Nothing of the router's own.
// Ready (GET /health/readiness answers 200) once that event is in the journal. Usage: StackFloor DATA_DIR LISTEN_URL
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Sql;

var database = Path.Combine(Path.GetFullPath(args[0]), "router.db");
Directory.CreateDirectory(Path.GetDirectoryName(database)!);
var connection = $"Data Source={database}";
var persistence = ConfigurationFactory.ParseString($$"""
    akka.persistence {
      journal { plugin = "akka.persistence.journal.sql", sql { provider-name = "SQLite.MS", auto-initialize = true, connection-string = "{{connection}}" } }
      snapshot-store { plugin = "akka.persistence.snapshot-store.sql", sql { provider-name = "SQLite.MS", auto-initialize = true, connection-string = "{{connection}}" } }
    }
    """).WithFallback(SqlPersistence.DefaultConfiguration);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Services.AddAkka("floor", akka => akka.AddHocon(persistence, HoconAddMode.Prepend)
    .WithActors((system, registry) => registry.Register<Written>(system.ActorOf(Props.Create(() => new Written()), "written"))));
var app = builder.Build();
app.MapGet("/health/readiness", async (IRequiredActor<Written> written) =>
    await written.ActorRef.Ask<bool>(Written.Ask.Instance, TimeSpan.FromSeconds(5)) ? Results.Ok() : Results.StatusCode(503));
// As the router's MemoryTrim: what the start allocated given back once, five seconds after it listens, the C library's free
// pages with it.
app.Lifetime.ApplicationStarted.Register(() => Task.Delay(TimeSpan.FromSeconds(5)).ContinueWith(_ =>
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    MallocTrim(0);
}, TaskScheduler.Default));
app.Run(args[1]);

/// <summary>Recovers, writes one event, and answers whether it is written.</summary>
sealed class Written : ReceivePersistentActor
{
    public sealed class Ask { public static readonly Ask Instance = new(); }

    private bool _written;

    public Written()
    {
        Recover<string>(_ => { });
        Recover<RecoveryCompleted>(_ => Self.Tell(Write.Instance));
        Command<Write>(_ => Persist("started", _ => _written = true));
        Command<Ask>(_ => Sender.Tell(_written));
    }

    public override string PersistenceId => "stack-floor";

    private sealed class Write { public static readonly Write Instance = new(); }
}

static partial class Program
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
