using System.Diagnostics.CodeAnalysis;
using Router.Actors.Routing;

namespace Router.Host.Proxy;

/// <summary>
/// The models one request may still try, in order, each at most once: the requested model first; the fallbacks an
/// attempt's verdict calls for (context window, content policy) before every model queued already, the model's own
/// fallbacks after them. Most requests end with their first model, so the queue and the set of the models taken are made
/// only once a second model is queued.
/// </summary>
public sealed class ModelQueue(RouteTable routes, RouteMatch requested)
{
    private bool _requestedTaken;
    private LinkedList<RouteMatch>? _queued;
    private HashSet<string>? _taken;

    /// <summary>The next model not taken before; false when none is left.</summary>
    public bool TryTake([NotNullWhen(true)] out RouteMatch? match)
    {
        if (!_requestedTaken)
        {
            _requestedTaken = true;
            match = requested;
            return true;
        }
        while (_queued?.First is { } next)
        {
            _queued.RemoveFirst();
            var name = next.Value.Group.ModelName;
            if (name == requested.Group.ModelName || !(_taken ??= new HashSet<string>(StringComparer.Ordinal)).Add(name)) continue;
            match = next.Value;
            return true;
        }
        match = null;
        return false;
    }

    /// <summary>Queues <paramref name="models"/>, in their order, before every model queued already (a name no route has is left out).</summary>
    public void Prepend(IReadOnlyList<string> models)
    {
        for (var i = models.Count - 1; i >= 0; i--)
            if (routes.Resolve(models[i]) is { } match) (_queued ??= new LinkedList<RouteMatch>()).AddFirst(match);
    }

    /// <summary>Queues <paramref name="model"/> after every model queued already (a name no route has is left out).</summary>
    public void Append(string model)
    {
        if (routes.Resolve(model) is { } match) (_queued ??= new LinkedList<RouteMatch>()).AddLast(match);
    }
}
