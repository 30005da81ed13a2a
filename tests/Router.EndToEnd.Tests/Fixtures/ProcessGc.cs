using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace Router.EndToEnd.Tests.Fixtures;

/// <summary>
/// Makes another .NET process run a full blocking garbage collection, the way dotnet-gcdump does: an event
/// pipe session asking the runtime's provider for the GCHeapCollect keyword induces one. What the process
/// holds afterwards is what it keeps alive, not garbage a collection has not reached yet.
/// </summary>
public static class ProcessGc
{
    private const long GcHeapCollectKeyword = 0x800000;

    public static async Task CollectAsync(int processId, CancellationToken ct)
    {
        var client = new DiagnosticsClient(processId);
        var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcHeapCollectKeyword) };
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, ct);
        // The session must be read while it runs; its events are not needed, only the collection it starts.
        var drain = session.EventStream.CopyToAsync(Stream.Null, ct);
        await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        await session.StopAsync(ct);
        await drain;
    }
}
