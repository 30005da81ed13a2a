using Router.Host.Hosting;
using Router.Host.RequestLog;

namespace Router.Host.Tests.Hosting;

public sealed class WorkThreadTests
{
    [Fact]
    public async Task Work_runs_in_the_order_it_was_queued_on_one_thread_other_than_the_callers()
    {
        using var thread = new WorkThread("test-low", lowPriority: true);
        var seen = new List<(int Item, int Thread)>();
        var tasks = Enumerable.Range(0, 20).Select(i => thread.RunAsync(() => seen.Add((i, Environment.CurrentManagedThreadId)))).ToList();

        await Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(0, 20), seen.Select(s => s.Item));
        Assert.Single(seen.Select(s => s.Thread).Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, seen[0].Thread);
    }

    [Fact]
    public async Task An_exception_of_the_work_reaches_its_caller_and_the_thread_goes_on()
    {
        using var thread = new WorkThread("test-low", lowPriority: true);

        var failed = thread.RunAsync(() => throw new InvalidOperationException("disk full"));
        var after = 0;
        var next = thread.RunAsync(() => after = 1);

        Assert.Equal("disk full", (await Assert.ThrowsAsync<InvalidOperationException>(() => failed)).Message);
        await next;
        Assert.Equal(1, after);
    }

    [Fact]
    public async Task On_linux_the_thread_runs_as_SCHED_IDLE_at_nice_10_and_the_rest_of_the_process_does_not()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "thread nice values are read from Linux's /proc");
        using var thread = new WorkThread("test-low", lowPriority: true);

        var tid = await thread.KernelThreadId;

        var nice = NiceOf($"/proc/self/task/{tid}/stat");
        Assert.True(nice > 0, $"the thread runs at nice {nice}");
        Assert.Equal(WorkThread.Nice, nice);
        Assert.Equal(SchedIdle, PolicyOf($"/proc/self/task/{tid}/stat"));
        Assert.Equal(0, NiceOf("/proc/self/stat"));
        Assert.Equal(SchedOther, PolicyOf("/proc/self/stat"));
    }

    [Fact]
    public async Task A_thread_not_of_low_priority_runs_as_the_process_does()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "thread nice values are read from Linux's /proc");
        using var thread = new WorkThread("test-normal", lowPriority: false);

        var tid = await thread.KernelThreadId;

        Assert.True(tid > 0);
        Assert.Equal(0, NiceOf($"/proc/self/task/{tid}/stat"));
        Assert.Equal(SchedOther, PolicyOf($"/proc/self/task/{tid}/stat"));
    }

    private const int SchedOther = 0, SchedIdle = 5;

    [Fact]
    public async Task Work_queued_after_dispose_fails_instead_of_waiting_for_ever()
    {
        var thread = new WorkThread("test-low", lowPriority: true);
        thread.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => thread.RunAsync(() => { }));
    }

    // Fields 19 (nice) and 41 (policy) of /proc/.../stat, counted after the command name in parentheses (which may hold spaces).
    private static int NiceOf(string statPath) => StatField(statPath, 19);

    private static int PolicyOf(string statPath) => StatField(statPath, 41);

    private static int StatField(string statPath, int field)
    {
        var stat = File.ReadAllText(statPath);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[field - 3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
