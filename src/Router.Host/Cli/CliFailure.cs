namespace Router.Host.Cli;

/// <summary>A command that cannot go on: its message goes to stderr and its code is the process's exit code.</summary>
public sealed class CliFailure(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
