using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Router.Contracts.Configuration;
using Router.Contracts.Messages;

namespace Router.Actors.Breakers;

/// <summary>
/// The circuit breaker of one deployment on this node. Closed: every call is permitted. It opens after
/// <see cref="BreakerSettings.ConsecutiveFailuresToOpen"/> provider failures in a row, or when at least
/// <see cref="BreakerSettings.MinimumCallsInWindow"/> calls in the last
/// <see cref="BreakerSettings.FailureRateWindow"/> failed at a rate of
/// <see cref="BreakerSettings.FailureRateToOpen"/> or more, or when the provider asked for a pause
/// (<c>Retry-After</c>). Open, it refuses at once, so callers stop waiting on a provider known to be
/// failing. When the cooldown (or the pause) ends it half-opens and lets one probe through: success
/// closes it and forgets the window, failure opens it again. A probe whose outcome never arrives (its
/// caller gave up) is replaced after another cooldown, so the circuit cannot stay half-open for good.
/// Every change is published to this node's <see cref="DeploymentBoard"/>.
/// </summary>
public sealed class ProviderBreakerActor : ReceiveActor, IWithTimers
{
    private const double LatencyEwmaWeight = 0.2;

    private readonly string _deploymentId;
    private readonly BreakerSettings _settings;
    private readonly TimeProvider _clock;
    private readonly DeploymentBoard _board;
    private readonly FailureWindow _window;
    private readonly TimeSpan _idleAfter;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private CircuitState _circuit = CircuitState.Closed;
    private int _consecutiveFailures;
    private DateTimeOffset _openUntil;
    private bool _probeInFlight;
    private DateTimeOffset _probeStartedAt;
    private double _latencyEwmaMs;
    private ProviderBreaker.State? _published;
    // When the last caller's message arrived, in real time as a receive timeout counts it (not the breaker's clock, which
    // decides its circuit). Idleness is looked at on a timer rather than with a receive timeout, which Akka schedules anew on
    // every message: four objects for each permit and each report, every request.
    private long _lastMessageAt = Environment.TickCount64;

    public ITimerScheduler Timers { get; set; } = null!;

    public ProviderBreakerActor(string deploymentId, BreakerSettings settings, TimeProvider clock, DeploymentBoard board, TimeSpan idleAfter)
    {
        _deploymentId = deploymentId;
        _settings = settings;
        _clock = clock;
        _board = board;
        _window = new FailureWindow(settings.FailureRateWindow);
        _idleAfter = idleAfter;

        Receive<ProviderBreaker.RequestPermit>(request =>
        {
            var decision = Decide(request);
            Publish(); // before answering, so whoever got the answer also sees it on the board
            Sender.Tell(decision);
        });
        Receive<ProviderBreaker.ReportOutcome>(outcome =>
        {
            Record(outcome);
            Publish();
            if (outcome.Result == CallResult.ProviderFailed) _board.FailureRead(_deploymentId);
        });
        // Idle with nothing to remember: its region stops it (a new one starts untried, its latency average anew).
        Receive<IdleLook>(_ =>
        {
            if (Environment.TickCount64 - _lastMessageAt >= _idleAfter.TotalMilliseconds && HasNothingToRemember())
                Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        });
        Receive<ProviderBreaker.GetState>(_ =>
        {
            var state = Publish();
            Sender.Tell(state);
        });
        Receive<ProviderBreaker.Trip>(trip =>
        {
            _log.Warning("Circuit of deployment {0} opened by an operator for {1}", _deploymentId, trip.For);
            // Exactly as asked, even when an earlier opening would have lasted longer: the operator decides.
            _openUntil = _clock.GetUtcNow() + trip.For;
            _circuit = CircuitState.Open;
            _probeInFlight = false;
            Sender.Tell(Publish());
        });
        Receive<ProviderBreaker.Reset>(_ =>
        {
            _log.Info("Circuit of deployment {0} closed by an operator", _deploymentId);
            _circuit = CircuitState.Closed;
            _consecutiveFailures = 0;
            _probeInFlight = false;
            _openUntil = default;
            _window.Clear();
            Sender.Tell(Publish());
        });
    }

    protected override void PreStart()
    {
        Publish();
        // Twice per idleAfter: a breaker idle with nothing to remember stops between one and one and a half idleAfter on.
        Timers.StartPeriodicTimer(nameof(IdleLook), IdleLook.Instance, _idleAfter / 2);
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        // A caller's message (a timer's comes wrapped, whatever it carries).
        if (message is IProviderBreakerMessage) _lastMessageAt = Environment.TickCount64;
        return base.AroundReceive(receive, message);
    }

    /// <summary>A stopped breaker leaves no state on the board: the next one starts closed and untried, as this one was.</summary>
    protected override void PostStop() => _board.Forget(_deploymentId);

    /// <summary>Closed, with no failure, probe or call in its window: nothing a new breaker would not know.</summary>
    private bool HasNothingToRemember()
    {
        _window.Roll(_clock.GetUtcNow());
        return _circuit == CircuitState.Closed && _consecutiveFailures == 0 && !_probeInFlight && _window.Calls == 0;
    }

    /// <param name="request">What the key's actor said of the request (its budget left, a lowered completion limit) is passed
    /// through to the asker, who learns it in the same reply.</param>
    private object Decide(ProviderBreaker.RequestPermit request)
    {
        var now = _clock.GetUtcNow();
        switch (_circuit)
        {
            case CircuitState.Closed:
                return Permit(request);
            case CircuitState.Open:
                var remaining = _openUntil - now;
                if (remaining > TimeSpan.Zero) return Refuse(request, remaining);
                _circuit = CircuitState.HalfOpen;
                return StartProbe(now, request);
            default:
                var probeWait = _probeStartedAt + _settings.Cooldown - now;
                return _probeInFlight && probeWait > TimeSpan.Zero
                    ? Refuse(request, probeWait)
                    : StartProbe(now, request);
        }
    }

    private ProviderBreaker.Permit StartProbe(DateTimeOffset now, ProviderBreaker.RequestPermit request)
    {
        _probeInFlight = true;
        _probeStartedAt = now;
        return Permit(request);
    }

    private ProviderBreaker.Permit Permit(ProviderBreaker.RequestPermit request) =>
        new(_deploymentId, request.KeyRemaining, request.CappedMaxTokens);

    private ProviderBreaker.Refused Refuse(ProviderBreaker.RequestPermit request, TimeSpan retryAfter) =>
        new(_deploymentId, retryAfter, request.KeyRemaining, request.CappedMaxTokens);

    private void Record(ProviderBreaker.ReportOutcome outcome)
    {
        var now = _clock.GetUtcNow();
        switch (outcome.Result)
        {
            case CallResult.Abandoned:
                // Says nothing about the provider; free the probe slot so that the next caller probes instead.
                if (_circuit == CircuitState.HalfOpen) _probeInFlight = false;
                break;

            case CallResult.ProviderFailed:
                _consecutiveFailures++;
                _window.Record(failed: true, now);
                if (_circuit == CircuitState.HalfOpen)
                {
                    _log.Warning("Circuit of deployment {0} opened again: its probe failed", _deploymentId);
                    Open(now + _settings.Cooldown);
                }
                else if (_consecutiveFailures >= _settings.ConsecutiveFailuresToOpen)
                {
                    // Already open: a late failure of a call permitted earlier starts the cooldown over.
                    if (_circuit == CircuitState.Closed)
                        _log.Warning("Circuit of deployment {0} opened after {1} consecutive failures", _deploymentId, _consecutiveFailures);
                    Open(now + _settings.Cooldown);
                }
                else if (_window.Calls >= _settings.MinimumCallsInWindow && _window.FailureRate >= _settings.FailureRateToOpen)
                {
                    if (_circuit == CircuitState.Closed)
                        _log.Warning("Circuit of deployment {0} opened: {1} of the last {2} calls failed (within {3})",
                            _deploymentId, _window.Failures, _window.Calls, _settings.FailureRateWindow);
                    Open(now + _settings.Cooldown);
                }
                break;

            default:
                _consecutiveFailures = 0;
                var ms = outcome.Latency.TotalMilliseconds;
                _latencyEwmaMs = _latencyEwmaMs == 0 ? ms : LatencyEwmaWeight * ms + (1 - LatencyEwmaWeight) * _latencyEwmaMs;
                if (_circuit == CircuitState.HalfOpen)
                {
                    // The provider is back: the failures that opened the circuit must not open it again.
                    _circuit = CircuitState.Closed;
                    _probeInFlight = false;
                    _window.Clear();
                    _log.Info("Circuit of deployment {0} closed: its probe succeeded", _deploymentId);
                }
                else
                {
                    // Closed: counts. Open: a late answer to a call permitted earlier; it counts but does not
                    // cut the cooldown or a provider's pause short, only a probe closes the circuit.
                    _window.Record(failed: false, now);
                }
                break;
        }

        if (outcome.RetryAfter is { } pause && pause > TimeSpan.Zero)
        {
            if (_circuit != CircuitState.Open)
                _log.Warning("Circuit of deployment {0} opened: the provider asked for a pause of {1}", _deploymentId, pause);
            Open(now + pause);
        }
    }

    /// <summary>Opens (or keeps open) the circuit until at least <paramref name="until"/>; a later end already set is kept.</summary>
    private void Open(DateTimeOffset until)
    {
        _openUntil = _circuit == CircuitState.Open && _openUntil > until ? _openUntil : until;
        _circuit = CircuitState.Open;
        _probeInFlight = false;
    }

    private ProviderBreaker.State CurrentState()
    {
        _window.Roll(_clock.GetUtcNow());
        return new ProviderBreaker.State(
            _deploymentId, _circuit, _consecutiveFailures, _latencyEwmaMs,
            OpenUntil: _circuit == CircuitState.Open ? _openUntil : null,
            CallsInWindow: _window.Calls,
            FailureRate: _window.FailureRate);
    }

    /// <summary>Puts the current state on the board when it differs from what was last put there.</summary>
    private ProviderBreaker.State Publish()
    {
        var state = CurrentState();
        if (state != _published)
        {
            _board.Publish(state);
            _published = state;
        }
        return state;
    }

    public static Props Props(string deploymentId, BreakerSettings settings, TimeProvider clock, DeploymentBoard board, TimeSpan? idleAfter = null) =>
        Akka.Actor.Props.Create(() => new ProviderBreakerActor(deploymentId, settings, clock, board, idleAfter ?? ProviderBreakersActor.DefaultIdleAfter));

    private sealed class IdleLook
    {
        public static readonly IdleLook Instance = new();
    }
}
