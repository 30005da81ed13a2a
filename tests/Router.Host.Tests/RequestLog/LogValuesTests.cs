using Router.Host.RequestLog;

namespace Router.Host.Tests.RequestLog;

public sealed class LogValuesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static RequestLogEntry Entry(string? model, int second) => new()
    {
        Time = T0.AddSeconds(second), RequestId = $"r{second}", RequestedModel = model, Status = 200,
    };

    [Fact]
    public void Each_pair_keeps_the_newest_time_any_entry_had_it_whatever_the_order_and_runs()
    {
        // Runs of one model, another between them, a time out of order inside a run, entries without a model, and a run of one
        // model name in two string instances.
        RequestLogEntry[] batch =
        [
            Entry("a", 1), Entry("a", 5), Entry("a", 3), Entry(null, 9), Entry("b", 2), Entry("a", 4), Entry("b", 7), Entry(null, 8),
            Entry("c", 6), Entry(new string('c', 1), 10),
        ];
        var newest = new Dictionary<(string, string), DateTimeOffset>();

        LogValues.KeepNewest(newest, batch, e => e.RequestedModel is { } m ? ("model", m) : null);

        Assert.Equal(
            new Dictionary<(string, string), DateTimeOffset>
            {
                [("model", "a")] = T0.AddSeconds(5), [("model", "b")] = T0.AddSeconds(7), [("model", "c")] = T0.AddSeconds(10),
            },
            newest);
    }
}
