using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Router.Host.RequestLog;

/// <summary>
/// One background thread that runs work queued to it, in order. Made with <c>lowPriority</c>, it runs below the request path
/// (SCHED_IDLE and nice 10 on Linux): work that may wait, such as the request log's batches, then takes the CPU a request
/// does not need instead of stalling requests while it runs. On a 2-core box a batch of SQLite inserts otherwise shows up in
/// the requests' p99 (at nice 10 alone, the one-connection p99 was 2.4-2.7 ms, as SCHED_IDLE 1.8-2.2 ms: bench/README,
/// issue 24). Without it, the thread runs at the process's priority: work that must not wait behind a saturated CPU, kept
/// off the thread pool's workers, which a long piece of work would take from the requests.
/// </summary>
public sealed class WorkThread : IDisposable
{
    /// <summary>The nice value of the thread: 0 is the process's, 19 the lowest.</summary>
    public const int Nice = 10;

    private readonly BlockingCollection<(Action Work, TaskCompletionSource Done)> _queue = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource<int> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly bool _lowPriority;

    public WorkThread(string name, bool lowPriority)
    {
        _lowPriority = lowPriority;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>The thread's id in the kernel (Linux), for checking its priority; 0 elsewhere.</summary>
    public Task<int> KernelThreadId => _started.Task;

    /// <summary>Runs <paramref name="work"/> on the thread; the task ends as the work does, with its exception if it threw.</summary>
    public Task RunAsync(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _queue.Add((work, done));
        }
        catch (InvalidOperationException)
        {
            done.SetException(new ObjectDisposedException(nameof(WorkThread)));
        }
        return done.Task;
    }

    private void Run()
    {
        _started.SetResult(_lowPriority ? LowerPriority() : KernelId());
        foreach (var (work, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }
    }

    /// <summary>The calling thread's id in the kernel (Linux); 0 elsewhere, or where the C library has no gettid.</summary>
    private static int KernelId()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        try
        {
            return GetTid();
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return 0;
        }
    }

    private static int LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
            return 0;
        }
        // Linux keeps a nice value per thread: setpriority on the thread's own id changes this thread alone.
        // Lowering one's own priority needs no privilege; if it fails anyway (or a C library older than
        // glibc 2.30 has no gettid) the work runs at normal priority.
        var tid = KernelId();
        if (tid == 0) return 0;
        _ = SetPriority(PrioProcess, tid, Nice);
        // SCHED_IDLE: the thread runs only on a CPU nothing else wants, and a request's thread that wakes takes the CPU
        // from it at once, where a nice 10 thread kept its slice (a few ms, in a request's p99 at one connection).
        var policy = new SchedParam();
        _ = SetScheduler(tid, SchedIdle, ref policy);
        return tid;
    }

    private const int PrioProcess = 0;

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    private const int SchedIdle = 5;

    private struct SchedParam
    {
        public int Priority;
    }

    [DllImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static extern int SetScheduler(int pid, int policy, ref SchedParam param);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();

    /// <summary>Runs what is queued, then ends the thread.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }
}
