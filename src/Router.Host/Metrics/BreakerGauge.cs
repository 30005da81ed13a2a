using Prometheus;
using Router.Actors.Breakers;
using Router.Actors.Routing;
using Router.Contracts.Messages;

namespace Router.Host.Metrics;

/// <summary>
/// <c>router_breaker_state{provider,deployment}</c>, read from this node's <see cref="DeploymentBoard"/>
/// when scraped: every configured deployment (closed until its breaker says otherwise), and each circuit
/// behind a pattern deployment (<c>id&gt;model</c>) while it is not closed. Callers name those models, so
/// showing the closed ones would make a series per name; a circuit that closes again, or whose breaker
/// stopped, leaves the scrape.
/// </summary>
internal sealed class BreakerGauge
{
    private readonly Gauge _state;
    private readonly DeploymentBoard _board;
    private readonly Func<RouteTable> _routes;
    private HashSet<(string Provider, string Deployment)> _shown = [];

    /// <param name="routes">The route table in force when scraped (a reload may change it).</param>
    public BreakerGauge(IMetricFactory factory, Func<RouteTable> routes, DeploymentBoard board)
    {
        _board = board;
        _routes = routes;
        _state = factory.CreateGauge("router_breaker_state",
            "Each deployment's circuit on this node: 0 closed, 1 half-open (a probe may pass), 2 open (calls refused).",
            ["provider", "deployment"]);
    }

    public void Update()
    {
        var shown = new HashSet<(string, string)>();
        var providerOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var deployment in _routes().Deployments)
        {
            providerOf[deployment.Id] = deployment.ProviderName;
            Set(shown, deployment.ProviderName, deployment.Id, _board.Health(deployment.Id).Circuit);
        }
        foreach (var circuit in _board.All)
        {
            if (providerOf.ContainsKey(circuit.DeploymentId) || circuit.Circuit == CircuitState.Closed) continue;
            var separator = circuit.DeploymentId.IndexOf('>', StringComparison.Ordinal);
            var owner = separator < 0 ? circuit.DeploymentId : circuit.DeploymentId[..separator];
            Set(shown, providerOf.GetValueOrDefault(owner, ""), circuit.DeploymentId, circuit.Circuit);
        }
        foreach (var (provider, deployment) in _shown)
            if (!shown.Contains((provider, deployment))) _state.RemoveLabelled(provider, deployment);
        _shown = shown;
    }

    private void Set(HashSet<(string, string)> shown, string provider, string deployment, CircuitState circuit)
    {
        _state.WithLabels(provider, deployment).Set(Value(circuit));
        shown.Add((provider, deployment));
    }

    public static double Value(CircuitState circuit) => circuit switch
    {
        CircuitState.HalfOpen => 1,
        CircuitState.Open => 2,
        _ => 0,
    };
}
