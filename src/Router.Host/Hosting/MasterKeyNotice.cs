namespace Router.Host.Hosting;

/// <summary>
/// Tells the operator where a generated master key was put. The key itself goes only to a terminal: when
/// standard output is redirected (systemd's journal, a container's log, a file) it would be kept and
/// shipped wherever those go, so there only the file and <c>router keys master</c> are named.
/// </summary>
public static class MasterKeyNotice
{
    public static void Print(string path, string key)
    {
        Console.WriteLine($"No master key was configured. Generated one and stored it in {path} (mode 0600, this user only).");
        if (Console.IsOutputRedirected)
            Console.WriteLine("It is not printed here, as this output is kept: print it on this host with `router keys master` " +
                              "(same --config or ROUTER_DATA_DIR), as a user who may read that file.");
        else
            Console.WriteLine($"  {key}");
    }
}
