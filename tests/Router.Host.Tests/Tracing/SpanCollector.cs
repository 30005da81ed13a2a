using System.Collections.Concurrent;
using System.Diagnostics;
using Router.Host.Tracing;

namespace Router.Host.Tests.Tracing;

/// <summary>
/// Listens to the router's <see cref="RouterTracing.Source"/> (recording everything) while it lives, as a
/// TracerProvider would, and finds one request's span tree by its request id.
/// </summary>
public sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanCollector()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RouterTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyCollection<Activity> Stopped => _stopped;

    /// <summary>The request's span and its attempt spans in order, waiting for the request span to end.</summary>
    public async Task<(Activity Request, List<Activity> Attempts)> TraceOfAsync(string requestId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var request = _stopped.SingleOrDefault(a => a.GetTagItem(SpanAttributeNames.RequestId) as string == requestId);
            if (request is not null)
            {
                var attempts = _stopped
                    .Where(a => a.TraceId == request.TraceId && a.ParentSpanId == request.SpanId)
                    .OrderBy(a => a.StartTimeUtc)
                    .ToList();
                return (request, attempts);
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no span for request {requestId}");
            await Task.Delay(20);
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>One collection run alone: a listener on the Router source is process-wide, and one test asserts there is none.</summary>
[CollectionDefinition("tracing", DisableParallelization = true)]
public sealed class TracingCollection;
