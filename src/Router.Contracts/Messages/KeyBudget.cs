namespace Router.Contracts.Messages;

/// <summary>Every message for a key's budget actor names its key: that is what places the actor.</summary>
public interface IKeyBudgetMessage
{
    string KeyId { get; }
}

/// <summary>Asks the key's actor to change or do something (admit, settle, provision, flush).</summary>
public interface IKeyBudgetCommand : IKeyBudgetMessage;

/// <summary>Asks the key's actor what it holds, changing nothing.</summary>
public interface IKeyBudgetQuery : IKeyBudgetMessage;

/// <summary>What the key's actor answers to a command or a query.</summary>
public interface IKeyBudgetReply;

/// <summary>What the key's actor writes to its journal: a storage format, changed only compatibly.</summary>
public interface IKeyBudgetEvent;

/// <summary>
/// Messages of the <c>KeyBudgetActor</c>, one actor per virtual key, one file per kind: commands and queries
/// (<c>KeyBudget.Commands.cs</c>), replies, journal events, the snapshot, and the replica's entries.
/// </summary>
public static partial class KeyBudget;
