using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Router.Contracts.Configuration;
using Router.Contracts.Wire;
using Router.Host.Tracing;

namespace Router.Host.Tests.Tracing;

/// <summary>What <see cref="TracingSetup"/> attaches to the Router source, and what a request pays when it attaches nothing.</summary>
[Collection("tracing")]
public sealed class TracingSetupTests
{
    private static readonly TracingSettings On = TracingSettings.Off with
    {
        // Nothing listens on port 1: these tests read the spans from an in-memory exporter beside OTLP.
        OtlpEndpoint = new Uri("http://127.0.0.1:1/v1/traces"),
        ServiceName = "router-under-test",
    };

    private static DefaultHttpContext Request(string? traceparent = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/v1/chat/completions";
        if (traceparent is not null) context.Request.Headers.TraceParent = traceparent;
        return context;
    }

    private static ServiceProvider Services(TracingSettings settings, List<Activity>? exported = null)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddRouterTracing(settings);
        if (exported is not null) services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported));
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Off_no_provider_is_built_nothing_listens_and_a_request_allocates_nothing_for_tracing()
    {
        using var services = Services(TracingSettings.Off);
        var spans = new RequestSpans();
        var context = Request("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        spans.Start(context, ProxyOperation.ChatCompletions, "req-1"); // first call JIT-compiles

        var before = GC.GetAllocatedBytesForCurrentThread();
        Activity? span = null;
        for (var i = 0; i < 1000; i++) span ??= spans.Start(context, ProxyOperation.ChatCompletions, "req-1");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Null(services.GetService<TracerProvider>());
        Assert.False(RouterTracing.Source.HasListeners());
        Assert.Null(span);
        Assert.Null(RouterTracing.Source.StartActivity("probe"));
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void On_the_provider_listens_to_the_Router_source_and_names_the_service_until_it_is_disposed()
    {
        var exported = new List<Activity>();
        using (var services = Services(On, exported))
        {
            services.GetRequiredService<TracerProvider>();
            Assert.True(RouterTracing.Source.HasListeners());

            var span = new RequestSpans().Start(Request(), ProxyOperation.Embeddings, "req-on");
            Assert.NotNull(span);
            span.Stop();

            var recorded = Assert.Single(exported);
            Assert.Equal(("embeddings", "req-on"), (recorded.OperationName, recorded.GetTagItem(SpanAttributeNames.RequestId)));
            var resource = services.GetRequiredService<TracerProvider>().GetResource();
            Assert.Contains(resource.Attributes, a => a is { Key: "service.name", Value: "router-under-test" });
        }
        Assert.False(RouterTracing.Source.HasListeners());
    }

    [Fact]
    public void A_sample_ratio_of_zero_records_no_new_trace_but_follows_a_callers_sampled_one()
    {
        var exported = new List<Activity>();
        using var services = Services(On with { SampleRatio = 0 }, exported);
        services.GetRequiredService<TracerProvider>();
        var spans = new RequestSpans();
        var traceId = ActivityTraceId.CreateRandom();

        var unsampled = spans.Start(Request(), ProxyOperation.ChatCompletions, "req-new");
        var notSampledByCaller = spans.Start(Request($"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00"),
            ProxyOperation.ChatCompletions, "req-caller-unsampled");
        var joined = spans.Start(Request($"00-{traceId}-{ActivitySpanId.CreateRandom()}-01"), ProxyOperation.ChatCompletions, "req-joined");
        joined?.Stop();

        Assert.Null(unsampled);
        Assert.Null(notSampledByCaller);
        Assert.NotNull(joined);
        Assert.Equal(traceId, Assert.Single(exported).TraceId);
    }

    [Fact]
    public void An_unauthenticated_callers_sampled_traceparent_does_not_decide_sampling()
    {
        var exported = new List<Activity>();
        using var services = Services(On with { SampleRatio = 0 }, exported);
        services.GetRequiredService<TracerProvider>();
        var spans = new RequestSpans();
        var sampled = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01";

        var stranger = spans.Start(Request(sampled), ProxyOperation.ChatCompletions, "req-stranger", followCaller: false);
        var known = spans.Start(Request(sampled), ProxyOperation.ChatCompletions, "req-known", followCaller: true);
        known?.Stop();

        Assert.Null(stranger); // a trace of its own, at the ratio of 0
        Assert.NotNull(known);
        Assert.Single(exported);
    }

    [Fact]
    public void A_request_span_is_recorded_under_an_unrecorded_activity_of_ASP_NET_s_own()
    {
        var exported = new List<Activity>();
        using var services = Services(On, exported);
        services.GetRequiredService<TracerProvider>();
        var spans = new RequestSpans();
        var callerTrace = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();

        // What ASP.NET's hosting starts around a request when its diagnostics are on and nothing records them.
        using var aspNet = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").Start();
        var root = spans.Start(Request(), ProxyOperation.ChatCompletions, "req-root");
        root?.Stop();
        Activity.Current = aspNet;
        var joined = spans.Start(Request($"00-{callerTrace}-{callerSpan}-01"), ProxyOperation.ChatCompletions, "req-joined");
        joined?.Stop();

        Assert.False(aspNet.Recorded);
        Assert.Equal(2, exported.Count);
        Assert.NotEqual(aspNet.TraceId, exported[0].TraceId);
        Assert.Equal(default, exported[0].ParentSpanId);
        Assert.Equal((callerTrace, callerSpan), (exported[1].TraceId, exported[1].ParentSpanId));
    }
}
