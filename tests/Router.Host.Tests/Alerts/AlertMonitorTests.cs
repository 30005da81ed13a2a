using Router.Contracts.Configuration;
using Router.Host.Alerts;
using Router.Tests.Shared;

namespace Router.Host.Tests.Alerts;

/// <summary>States become events once per change; a flapping state is held off; with a clock moved by hand.</summary>
public sealed class AlertMonitorTests
{
    private static readonly AlertsSettings Settings = AlertsSettings.Standard with { HoldOff = TimeSpan.FromMinutes(1), ProviderFailingAfter = TimeSpan.FromMinutes(5) };

    private readonly ManualClock _clock = new();
    private readonly AlertMonitor _monitor;

    public AlertMonitorTests() => _monitor = new AlertMonitor(Settings, "node-a", _clock);

    private List<string> Observe(AlertSnapshot snapshot) => [.. _monitor.Observe(snapshot).Select(e => e.Event)];

    private static AlertSnapshot Circuit(bool open) => new() { Circuits = [new CircuitSample("openai:gpt-4o", open)] };

    private static AlertSnapshot Spent(decimal spend) => new() { Budgets = [new BudgetSample("key_0123abcd", "ci", spend, 10m)] };

    [Fact]
    public void A_circuit_opening_and_closing_is_sent_once_each()
    {
        Assert.Empty(Observe(Circuit(false)));
        Assert.Equal([AlertEvents.CircuitOpen], Observe(Circuit(true)));
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(Observe(Circuit(true)));
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal([AlertEvents.CircuitClosed], Observe(Circuit(false)));
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(Observe(Circuit(false)));
    }

    [Fact]
    public void A_flapping_circuit_is_held_off_and_its_last_state_sent_when_the_hold_off_ends()
    {
        Assert.Equal([AlertEvents.CircuitOpen], Observe(Circuit(true)));
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(5));
            Assert.Empty(Observe(Circuit(i % 2 == 0)));
        }
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(Observe(Circuit(true))); // back to what was sent: nothing to tell
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([AlertEvents.CircuitClosed], Observe(Circuit(false)));
    }

    [Fact]
    public void A_circuit_open_longer_than_provider_failing_after_raises_provider_failing_once()
    {
        Observe(Circuit(true));
        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(Observe(Circuit(true)));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var failing = _monitor.Observe(Circuit(true)).Single();
        Assert.Equal((AlertEvents.ProviderFailing, AlertSeverity.Critical, "node-a"), (failing.Event, failing.Severity, failing.Node));
        Assert.Contains("5 min", failing.Summary);
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(Observe(Circuit(true)));
    }

    [Fact]
    public void A_budget_passing_80_and_100_percent_is_sent_once_each_and_a_new_period_is_silent()
    {
        Assert.Empty(Observe(Spent(7.9m)));
        var eighty = _monitor.Observe(Spent(8m)).Single();
        Assert.Equal(AlertEvents.Budget80, eighty.Event);
        Assert.Equal("ci", eighty.Details["alias"]);
        Assert.Equal("key_0123abcd…", eighty.Details["key"]);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Observe(Spent(9m)));
        Assert.Equal([AlertEvents.Budget100], Observe(Spent(10m)));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Observe(Spent(12m)));
        Assert.Empty(Observe(Spent(0m)));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([AlertEvents.Budget100], Observe(Spent(10m)));
    }

    [Fact]
    public void Storage_and_redis_going_away_and_back_are_sent_once_each()
    {
        Assert.Empty(Observe(new AlertSnapshot { StorageUp = true, CacheUp = true }));
        Assert.Equal([AlertEvents.StorageDown, AlertEvents.CacheDown], Observe(new AlertSnapshot { StorageUp = false, CacheUp = false }));
        Assert.Empty(Observe(new AlertSnapshot { StorageUp = false, CacheUp = false }));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([AlertEvents.StorageUp, AlertEvents.CacheUp], Observe(new AlertSnapshot { StorageUp = true, CacheUp = true }));
    }

    [Fact]
    public void A_backlog_over_its_limit_is_sent_once_until_it_has_drained()
    {
        Assert.Empty(Observe(new AlertSnapshot { RequestLogBacklog = 1000, SettlementBacklog = 100 }));
        Assert.Equal([AlertEvents.RequestLogBacklog, AlertEvents.SettlementBacklog], Observe(new AlertSnapshot { RequestLogBacklog = 1001, SettlementBacklog = 101 }));
        Assert.Empty(Observe(new AlertSnapshot { RequestLogBacklog = 5000, SettlementBacklog = 500 }));
        _clock.Advance(TimeSpan.FromMinutes(1));
        // Under its limit but still draining: not yet the all-clear.
        Assert.Empty(Observe(new AlertSnapshot { RequestLogBacklog = 2, SettlementBacklog = 1 }));
        Assert.Equal([AlertEvents.RequestLogBacklogCleared, AlertEvents.SettlementBacklogCleared], Observe(new AlertSnapshot()));
        Assert.Empty(Observe(new AlertSnapshot()));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([AlertEvents.RequestLogBacklog], Observe(new AlertSnapshot { RequestLogBacklog = 2000 }));
    }

    [Fact]
    public void A_peer_becoming_unreachable_and_then_leaving_is_sent_once_each()
    {
        const string peer = "akka.tcp://router@10.0.0.2:4053";
        Assert.Empty(Observe(new AlertSnapshot { Members = [new MemberSample(peer, true)] }));
        Assert.Equal([AlertEvents.NodeUnreachable], Observe(new AlertSnapshot { Members = [new MemberSample(peer, false)] }));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([AlertEvents.NodeLeft], Observe(new AlertSnapshot { Members = [] }));
        Assert.Empty(Observe(new AlertSnapshot { Members = [] }));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([AlertEvents.NodeUp], Observe(new AlertSnapshot { Members = [new MemberSample(peer, true)] }));
        Assert.Empty(Observe(new AlertSnapshot { Members = [new MemberSample(peer, true)] }));
    }
}
