namespace Router.Contracts.Messages;

/// <summary>
/// A message that is written to the journal or crosses the wire between the nodes of a pair (a key's
/// budget actor may live on the other node). It is bound to the router's own
/// JSON serializer; strict serialization is on, so a type without this marker fails loudly.
/// </summary>
public interface IPersistedMessage;
