using System.Net;
using System.Text.Json.Nodes;
using Router.EndToEnd.Tests.Fixtures;
using Router.MockUpstream;

namespace Router.EndToEnd.Tests;

/// <summary>
/// The alert history outlives the router: test notifications to a webhook receiver (taken) and to a port where
/// nothing listens (failed) are listed by <c>/admin/alerts</c> and <c>/ui/alerts</c> with each delivery's status
/// after a graceful restart on the same data directory, and after a SIGKILL too; only the last
/// <c>router.alerts.history</c> of them are kept.
/// </summary>
public sealed class AlertHistoryRestartTests
{
    private const string MasterKey = "sk-e2e-alert-history-master-0d4c7b2e9f";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_last_alerts_and_their_deliveries_are_listed_after_a_restart_and_a_crash()
    {
        await using var hooks = await WebhookReceiver.StartAsync(failFirst: 0);
        var dataDir = Directory.CreateTempSubdirectory("router-alert-history-").FullName;
        var config = $$"""
              master-key = "{{MasterKey}}"
              alerts {
                history = 2
                attempts = 1
                targets = [
                  { name = hook, url = "{{hooks.Root}}/generic" }
                  { name = dead, url = "http://127.0.0.1:{{LoopbackPort.Free()}}/hook" }
                ]
              }
            """;
        try
        {
            await using (var router = await RouterProcess.StartAsync(config, dataDir))
            {
                for (var i = 0; i < 3; i++) await TestAsync(router);
                router.Terminate();
                Assert.Equal(0, await router.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }
            await using (var router = await RouterProcess.StartAsync(config, dataDir))
            {
                // The newest two of three, newest first, each delivery as it ended.
                Assert.Equal([3L, 2L], await ListedAsync(router));
                var login = await DashboardLogin.SignInAsync(router, MasterKey, Ct);
                using var page = login.Client(router);
                var html = await page.GetStringAsync("/ui/alerts", Ct);
                Assert.Contains("data-testid=\"alert-3\"", html);
                Assert.Contains("data-testid=\"alert-2\"", html);
                Assert.DoesNotContain("data-testid=\"alert-1\"", html);
                Assert.Contains("data-target=\"hook\" data-status=\"sent\"", html);
                Assert.Contains("data-target=\"dead\" data-status=\"failed\"", html);

                // A new alert goes on from the ids kept, and is on disk soon enough to outlive a crash.
                await TestAsync(router);
                await Task.Delay(500, Ct);
                await router.KillAsync();
            }
            await using (var router = await RouterProcess.StartAsync(config, dataDir))
                Assert.Equal([4L, 3L], await ListedAsync(router));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task TestAsync(RouterProcess router)
    {
        using var admin = router.CreateClient(MasterKey);
        using var response = await admin.PostAsync("/admin/alerts/test", null, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The ids <c>/admin/alerts</c> lists, after checking each one's deliveries: taken by the hook, failed at the dead port.</summary>
    private static async Task<List<long>> ListedAsync(RouterProcess router)
    {
        using var admin = router.CreateClient(MasterKey);
        var list = JsonNode.Parse(await admin.GetStringAsync("/admin/alerts", Ct))!;
        Assert.Equal(2, (int)list["kept"]!);
        var alerts = list["alerts"]!.AsArray();
        foreach (var alert in alerts)
        {
            Assert.Equal("test", (string)alert!["event"]!);
            var deliveries = alert["deliveries"]!.AsArray().ToDictionary(d => (string)d!["target"]!, d => d!);
            Assert.Equal(("sent", 1), ((string)deliveries["hook"]["status"]!, (int)deliveries["hook"]["attempts"]!));
            Assert.Equal(("failed", "connection failed"), ((string)deliveries["dead"]["status"]!, (string)deliveries["dead"]["error"]!));
        }
        return [.. alerts.Select(a => (long)a!["id"]!)];
    }
}
