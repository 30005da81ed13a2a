using Router.Host.Health;
using Router.Host.Http;

namespace Router.Host.Tests.Http;

public sealed class ReadinessChecksTests
{
    [Fact]
    public void Without_reasons_each_check_says_only_ok_degraded_or_failing()
    {
        var checks = new ReadinessChecks();
        checks.Ok("actor-system");
        checks.Degraded("storage", "PostgreSQL at db.lan:5432 as router: connection refused");
        checks.Failing("cluster", "member joining at 10.0.0.12:4053");

        Assert.Equal(new Dictionary<string, string> { ["actor-system"] = "ok", ["storage"] = "degraded", ["cluster"] = "failing" }, checks.View(withReasons: false));
        Assert.Equal("PostgreSQL at db.lan:5432 as router: connection refused", checks.View(withReasons: true)["storage"]);
        Assert.Equal("member joining at 10.0.0.12:4053", checks.View(withReasons: true)["cluster"]);
    }

    [Fact]
    public void A_failing_check_makes_the_node_not_ready_and_a_degraded_one_only_degraded()
    {
        var degraded = new ReadinessChecks();
        degraded.Ok("storage");
        degraded.Degraded("cache", "redis unreachable");
        Assert.True(degraded.Ready);
        Assert.Equal("degraded", degraded.Status);

        var failing = new ReadinessChecks();
        failing.Degraded("cache", "redis unreachable");
        failing.Failing("node", "stopping");
        Assert.False(failing.Ready);
        Assert.Equal("not ready", failing.Status);

        var ready = new ReadinessChecks();
        ready.Ok("storage");
        Assert.Equal("ready", ready.Status);
    }
}
