using Prometheus;
using Router.Host.RequestLog;

namespace Router.Host.Metrics;

/// <summary>
/// The request log's health, read when scraped. <c>router_request_log_outbox_rows</c>: rows this node keeps on its disk
/// because the database did not take them; above zero for long, the database is down or refusing the log.
/// <c>router_request_log_dropped_total</c>: rows lost because the writer stayed behind for longer than a request waits for it.
/// </summary>
internal sealed class RequestLogGauge(IMetricFactory factory, Func<RequestLogWriter?> writer)
{
    private readonly Gauge _outboxRows = factory.CreateGauge("router_request_log_outbox_rows",
        "Request log rows kept on this node's disk because the database did not take them, waiting to be written to it.");

    private readonly Counter _dropped = factory.CreateCounter("router_request_log_dropped_total",
        "Request log rows dropped because the log's writer stayed behind for longer than a request waits for room.");

    public void Update()
    {
        var log = writer();
        _outboxRows.Set(log?.OutboxRows ?? 0);
        _dropped.IncTo(log?.Dropped ?? 0);
    }
}
