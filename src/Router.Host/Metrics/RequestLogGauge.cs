using Prometheus;
using Router.Host.RequestLog;

namespace Router.Host.Metrics;

/// <summary>
/// <c>router_request_log_outbox_rows</c>, read when scraped: request log rows this node keeps on its disk
/// because the database did not take them. Above zero for long, the database is down or refusing the log.
/// </summary>
internal sealed class RequestLogGauge(IMetricFactory factory, Func<RequestLogWriter?> writer)
{
    private readonly Gauge _outboxRows = factory.CreateGauge("router_request_log_outbox_rows",
        "Request log rows kept on this node's disk because the database did not take them, waiting to be written to it.");

    public void Update() => _outboxRows.Set(writer()?.OutboxRows ?? 0);
}
