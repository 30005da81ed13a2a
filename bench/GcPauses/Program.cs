// The garbage collector's pauses in a dotnet-trace file of the runtime's GC events (Microsoft-Windows-DotNETRuntime:0x1:4):
// how many collections of each generation, what each kept from gen0 (its promoted bytes), and each pause from the threads'
// suspension to their restart. Prints one line: BENCH collections=… gen0=… gen1=… gen2=… promoted_p50_kb=… pause_p50_us=…
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
double suspendedAt = -1;
source.Clr.GCStart += e => generations[Math.Min(2, e.Depth)]++;
source.Clr.GCHeapStats += e => promoted.Add(e.TotalPromotedSize0 / 1024.0);
source.Clr.GCSuspendEEStart += e => suspendedAt = e.TimeStampRelativeMSec;
source.Clr.GCRestartEEStop += e =>
{
    if (suspendedAt < 0) return;
    pauses.Add((e.TimeStampRelativeMSec - suspendedAt) * 1000);
    suspendedAt = -1;
};
source.Process();
promoted.Sort();
pauses.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"BENCH collections={pauses.Count} gen0={generations[0]} gen1={generations[1]} gen2={generations[2]} " +
    $"promoted_p50_kb={Percentile(promoted, 50):F0} promoted_p90_kb={Percentile(promoted, 90):F0} " +
    $"pause_p50_us={Percentile(pauses, 50):F0} pause_p90_us={Percentile(pauses, 90):F0} pause_p99_us={Percentile(pauses, 99):F0} " +
    $"paused_ms={pauses.Sum() / 1000:F1}"));
return 0;

static double Percentile(List<double> sorted, double p) =>
    sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
