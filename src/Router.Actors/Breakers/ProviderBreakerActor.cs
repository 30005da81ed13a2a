using Akka.Actor;
using Akka.Event;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;

namespace Router.Actors.Breakers;

/// <summary>
/// The circuit breaker of one deployment on this node. Closed: every call is permitted. After
/// <see cref="BreakerSettings.ConsecutiveFailuresToOpen"/> provider failures in a row it opens and
/// refuses at once, so callers stop waiting on a provider known to be failing. After the cooldown it
/// half-opens and lets one probe through: success closes it, failure opens it again. A probe whose
/// outcome never arrives (its caller gave up) is replaced after another cooldown, so the circuit
/// cannot stay half-open for good.
/// </summary>
public sealed class ProviderBreakerActor : ReceiveActor
{
    private const double LatencyEwmaWeight = 0.2;

    private readonly string _deploymentId;
    private readonly BreakerSettings _settings;
    private readonly TimeProvider _clock;
    private CircuitState _circuit = CircuitState.Closed;
    private int _consecutiveFailures;
    private DateTimeOffset _openedAt;
    private bool _probeInFlight;
    private DateTimeOffset _probeStartedAt;
    private double _latencyEwmaMs;

    public ProviderBreakerActor(string deploymentId, BreakerSettings settings, TimeProvider clock)
    {
        _deploymentId = deploymentId;
        _settings = settings;
        _clock = clock;

        Receive<ProviderBreaker.RequestPermit>(_ => Sender.Tell(Decide()));
        Receive<ProviderBreaker.ReportOutcome>(Record);
        Receive<ProviderBreaker.GetState>(_ => Sender.Tell(
            new ProviderBreaker.State(_deploymentId, _circuit, _consecutiveFailures, _latencyEwmaMs)));
    }

    private object Decide()
    {
        switch (_circuit)
        {
            case CircuitState.Closed:
                return new ProviderBreaker.Permit(_deploymentId);
            case CircuitState.Open:
                var remaining = _openedAt + _settings.Cooldown - _clock.GetUtcNow();
                if (remaining > TimeSpan.Zero) return new ProviderBreaker.Refused(_deploymentId, remaining);
                _circuit = CircuitState.HalfOpen;
                return StartProbe();
            default:
                var probeWait = _probeStartedAt + _settings.Cooldown - _clock.GetUtcNow();
                return _probeInFlight && probeWait > TimeSpan.Zero
                    ? new ProviderBreaker.Refused(_deploymentId, probeWait)
                    : StartProbe();
        }
    }

    private ProviderBreaker.Permit StartProbe()
    {
        _probeInFlight = true;
        _probeStartedAt = _clock.GetUtcNow();
        return new ProviderBreaker.Permit(_deploymentId);
    }

    private void Record(ProviderBreaker.ReportOutcome outcome)
    {
        if (outcome.Result == CallResult.Abandoned)
        {
            // Free the probe slot; the next caller probes instead.
            if (_circuit == CircuitState.HalfOpen) _probeInFlight = false;
            return;
        }
        if (outcome.Result == CallResult.ProviderFailed)
        {
            _consecutiveFailures++;
            if (_circuit == CircuitState.HalfOpen || _consecutiveFailures >= _settings.ConsecutiveFailuresToOpen)
                Open();
            return;
        }

        _consecutiveFailures = 0;
        _circuit = CircuitState.Closed;
        _probeInFlight = false;
        var ms = outcome.Latency.TotalMilliseconds;
        _latencyEwmaMs = _latencyEwmaMs == 0 ? ms : LatencyEwmaWeight * ms + (1 - LatencyEwmaWeight) * _latencyEwmaMs;
    }

    private void Open()
    {
        if (_circuit != CircuitState.Open)
            Context.GetLogger().Warning("Circuit of deployment {0} opened after {1} consecutive failures", _deploymentId, _consecutiveFailures);
        _circuit = CircuitState.Open;
        _openedAt = _clock.GetUtcNow();
        _probeInFlight = false;
    }

    public static Props Props(string deploymentId, BreakerSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new ProviderBreakerActor(deploymentId, settings, clock));
}
