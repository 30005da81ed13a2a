using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Router.Contracts.Messages;

namespace Router.Actors.Breakers;

/// <summary>
/// This node's view of every deployment's health, for choosing a deployment without asking an actor.
/// Each breaker actor publishes its state here after every change (it stays the authority: a permit
/// is still asked of it); the request path counts calls in flight. Reads take no lock.
/// </summary>
public sealed class DeploymentBoard
{
    private readonly ConcurrentDictionary<string, ProviderBreaker.State> _health = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<int>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<int>> _failuresUnread = new(StringComparer.Ordinal);

    /// <summary>The last state the deployment's breaker published; closed and untried when it has published none.</summary>
    public ProviderBreaker.State Health(string deploymentId) =>
        _health.TryGetValue(deploymentId, out var state) ? state : ProviderBreaker.State.Untried(deploymentId);

    public void Publish(ProviderBreaker.State state) => _health[state.DeploymentId] = state;

    /// <summary>
    /// Drops what the board holds for a circuit whose breaker stopped, so circuits that callers name and then
    /// forget (a model behind a pattern) do not pile up. Counters still in use stay.
    /// </summary>
    public void Forget(string deploymentId)
    {
        _health.TryRemove(deploymentId, out _);
        if (_inFlight.TryGetValue(deploymentId, out var calls) && Volatile.Read(ref calls.Value) == 0)
            _inFlight.TryRemove(new KeyValuePair<string, StrongBox<int>>(deploymentId, calls));
        if (_failuresUnread.TryGetValue(deploymentId, out var unread) && Volatile.Read(ref unread.Value) == 0)
            _failuresUnread.TryRemove(new KeyValuePair<string, StrongBox<int>>(deploymentId, unread));
    }

    /// <summary>How many circuits the board holds a state for.</summary>
    public int Count => _health.Count;

    /// <summary>Every circuit a breaker has published, e.g. the per-model circuits behind a pattern deployment.</summary>
    public IEnumerable<ProviderBreaker.State> All => _health.Values;

    /// <summary>
    /// Whether a call may go ahead without asking the breaker: its circuit is closed on the board and no
    /// failure reported to it is still waiting in its mailbox. A failure on its way could open the
    /// circuit, and a request after it must see that, as it would by asking the breaker behind it.
    /// </summary>
    public bool ClosedForSure(string deploymentId) =>
        _health.TryGetValue(deploymentId, out var state)
        && state.Circuit == CircuitState.Closed
        && (!_failuresUnread.TryGetValue(deploymentId, out var unread) || Volatile.Read(ref unread.Value) == 0);

    /// <summary>The request path sends the breaker a failure: until it has read it, its circuit is not closed for sure.</summary>
    public void FailureSent(string deploymentId) =>
        Interlocked.Increment(ref _failuresUnread.GetOrAdd(deploymentId, static _ => new StrongBox<int>()).Value);

    /// <summary>The breaker has read a failure and published what it made of it.</summary>
    public void FailureRead(string deploymentId)
    {
        if (!_failuresUnread.TryGetValue(deploymentId, out var unread)) return;
        // Never below zero: a failure told to the breaker by someone else (a test) was never counted as sent.
        int seen;
        do seen = Volatile.Read(ref unread.Value);
        while (seen > 0 && Interlocked.CompareExchange(ref unread.Value, seen - 1, seen) != seen);
    }

    public int InFlight(string deploymentId) => _inFlight.TryGetValue(deploymentId, out var count) ? Volatile.Read(ref count.Value) : 0;

    /// <summary>Counts a call to the deployment until the returned scope is disposed.</summary>
    public InFlightScope Enter(string deploymentId)
    {
        var count = _inFlight.GetOrAdd(deploymentId, static _ => new StrongBox<int>());
        Interlocked.Increment(ref count.Value);
        return new InFlightScope(count);
    }

    public readonly struct InFlightScope(StrongBox<int> count) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref count.Value);
    }
}
