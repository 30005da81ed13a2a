// The garbage collector's pauses in a dotnet-trace file of the runtime's GC events (Microsoft-Windows-DotNETRuntime:0x1:4):
// how many collections of each generation, what each kept from gen0 (its promoted bytes), and each pause from the threads'
// suspension to their restart (of it, the suspension itself, and the gen0 and gen1 collections' own work). Prints one line:
// BENCH collections=… gen0=… gen1=… gen2=… promoted_p50_kb=… pause_p50_us=… suspend_p50_us=… work_p50_us=…
// Usage: dotnet GcPauses.dll <file.nettrace>
using System.Globalization;
using Microsoft.Diagnostics.Tracing;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: GcPauses <file.nettrace>");
    return 2;
}
using var source = new EventPipeEventSource(args[0]);
var generations = new int[3];
var promoted = new List<double>();
var pauses = new List<double>();
var suspensions = new List<double>();
var works = new List<double>();
double suspendedAt = -1, startedAt = -1;
source.Clr.GCStart += e =>
{
    generations[Math.Min(2, e.Depth)]++;
    startedAt = e.TimeStampRelativeMSec;
};
// A collection's own work, from its start to its end (a background gen2's is mostly concurrent, not paused).
source.Clr.GCStop += e =>
{
    if (startedAt >= 0 && e.Depth < 2) works.Add((e.TimeStampRelativeMSec - startedAt) * 1000);
    startedAt = -1;
};
source.Clr.GCHeapStats += e => promoted.Add(e.TotalPromotedSize0 / 1024.0);
source.Clr.GCSuspendEEStart += e => suspendedAt = e.TimeStampRelativeMSec;
// How long the threads took to stop: a thread waiting for a CPU stops only once it runs.
source.Clr.GCSuspendEEStop += e =>
{
    if (suspendedAt >= 0) suspensions.Add((e.TimeStampRelativeMSec - suspendedAt) * 1000);
};
source.Clr.GCRestartEEStop += e =>
{
    if (suspendedAt < 0) return;
    pauses.Add((e.TimeStampRelativeMSec - suspendedAt) * 1000);
    suspendedAt = -1;
};
source.Process();
promoted.Sort();
pauses.Sort();
suspensions.Sort();
works.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"BENCH collections={pauses.Count} gen0={generations[0]} gen1={generations[1]} gen2={generations[2]} " +
    $"promoted_p50_kb={Percentile(promoted, 50):F0} promoted_p90_kb={Percentile(promoted, 90):F0} " +
    $"pause_p50_us={Percentile(pauses, 50):F0} pause_p90_us={Percentile(pauses, 90):F0} pause_p99_us={Percentile(pauses, 99):F0} " +
    $"paused_ms={pauses.Sum() / 1000:F1} suspend_p50_us={Percentile(suspensions, 50):F0} suspend_p90_us={Percentile(suspensions, 90):F0} " +
    $"suspended_ms={suspensions.Sum() / 1000:F1} work_p50_us={Percentile(works, 50):F0} work_p90_us={Percentile(works, 90):F0}"));
return 0;

static double Percentile(List<double> sorted, double p) =>
    sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
