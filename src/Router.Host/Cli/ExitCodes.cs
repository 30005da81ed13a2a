namespace Router.Host.Cli;

/// <summary>
/// What the <c>router</c> executable exits with, for scripts: each failure a script may want to tell
/// apart has its own code. The README's "Command line" section lists them.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command line itself is wrong (System.CommandLine's parse errors exit with 1 too).</summary>
    public const int Usage = 1;

    /// <summary>The configuration is invalid (<c>serve</c>, <c>config check</c>).</summary>
    public const int InvalidConfig = 2;

    /// <summary>The storage could not be reached at start (<c>serve</c>).</summary>
    public const int StorageUnavailable = 3;

    /// <summary>The node did not answer: nothing listens there, no answer in time, or it went away mid-stream.</summary>
    public const int NodeUnreachable = 4;

    /// <summary>No master key in <c>ROUTER_MASTER_KEY</c>, or the node refused it.</summary>
    public const int AuthFailed = 5;

    /// <summary>What was named does not exist: a key, a deployment, a member.</summary>
    public const int NotFound = 6;

    /// <summary>The node refused the request as asked: a bad value, or a command its state does not allow (a cluster command on a single node).</summary>
    public const int Refused = 7;

    /// <summary>The node failed, or answered something that is not the router's admin API.</summary>
    public const int NodeFailed = 8;
}
