using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Router.Actors.Tests.KeyBudgets;

/// <summary>
/// The in-memory journal with a gate a test controls by messages to the journal actor: writes can be
/// held until released, or failed, and the writes that reached it are counted.
/// </summary>
public sealed class GatedJournal : MemoryJournal
{
    public const string PluginId = "akka.persistence.journal.gated";

    public static readonly Config Config = ConfigurationFactory.ParseString($$"""
        akka.persistence.journal.plugin = "{{PluginId}}"
        {{PluginId}} {
          class = "Router.Actors.Tests.KeyBudgets.GatedJournal, Router.Actors.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """);

    /// <summary>Holds every write from now until <see cref="Release"/>; answered with <see cref="Done"/>.</summary>
    public sealed record Hold
    {
        public static readonly Hold Instance = new();
    }

    /// <summary>Lets the held writes and every later one through (failing no more); answered with <see cref="Done"/>.</summary>
    public sealed record Release
    {
        public static readonly Release Instance = new();
    }

    /// <summary>Lets the writes held so far through and holds every later one; answered with <see cref="Done"/>.</summary>
    public sealed record Step
    {
        public static readonly Step Instance = new();
    }

    /// <summary>Fails every write from now on; answered with <see cref="Done"/>.</summary>
    public sealed record FailWrites
    {
        public static readonly FailWrites Instance = new();
    }

    /// <summary>Answered with the number of writes (one per persisted event batch) that reached the journal.</summary>
    public sealed record CountWrites
    {
        public static readonly CountWrites Instance = new();
    }

    public sealed record Done
    {
        public static readonly Done Instance = new();
    }

    private TaskCompletionSource? _gate;
    private bool _failing;
    private int _writes;

    protected override bool ReceivePluginInternal(object message)
    {
        switch (message)
        {
            case Hold:
                _gate ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                break;
            case Release:
                _gate?.TrySetResult();
                _gate = null;
                _failing = false;
                break;
            case Step:
                _gate?.TrySetResult();
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                break;
            case FailWrites:
                _failing = true;
                break;
            case CountWrites:
                Sender.Tell(_writes, Self);
                return true;
            default:
                return base.ReceivePluginInternal(message);
        }
        Sender.Tell(Done.Instance, Self);
        return true;
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var batch = messages.ToList();
        Interlocked.Add(ref _writes, batch.Count);
        if (_failing) throw new IOException("The test journal fails writes.");
        if (_gate is { } gate) await gate.Task;
        return await base.WriteMessagesAsync(batch, cancellationToken);
    }
}
