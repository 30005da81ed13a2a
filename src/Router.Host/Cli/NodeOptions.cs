using System.CommandLine;
using System.Text.Json.Serialization.Metadata;

namespace Router.Host.Cli;

/// <summary>
/// The options every palette that talks to a node shares (<c>--node</c>, <c>--json</c>), put on the palette
/// once and inherited by its commands, and how such a command runs: connect, act, and turn a failure into
/// a message on stderr and its exit code.
/// </summary>
public sealed class NodeOptions
{
    public Option<string> Node { get; } = new("--node")
    {
        Description = $"The node's HTTP address, host:port (else {AdminClient.NodeVariable}, else {AdminClient.DefaultNode}). " +
            $"The master key comes from {AdminClient.MasterKeyVariable}.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(AdminClient.NodeVariable) is { Length: > 0 } node ? node : AdminClient.DefaultNode,
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the node's answer as JSON (one object per line for streams), for scripts.",
        Recursive = true,
    };

    /// <summary>A palette (<c>router cluster</c>, <c>router keys</c>…) whose commands talk to a node.</summary>
    public static Command Palette(string name, string description, out NodeOptions options)
    {
        options = new NodeOptions();
        var palette = new Command(name, description);
        palette.Options.Add(options.Node);
        palette.Options.Add(options.Json);
        return palette;
    }

    /// <summary>Adds a command to <paramref name="palette"/> that connects to the node and runs <paramref name="run"/>.</summary>
    public Command Add(Command palette, Command command, Func<NodeCall, CancellationToken, Task> run)
    {
        command.SetAction((parse, ct) => RunAsync(parse, run, ct));
        palette.Subcommands.Add(command);
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, Func<NodeCall, CancellationToken, Task> run, CancellationToken ct)
    {
        try
        {
            using var client = AdminClient.Connect(parse.GetValue(Node)!);
            await run(new NodeCall(client, parse, parse.GetValue(Json)), ct);
            return ExitCodes.Ok;
        }
        catch (CliFailure failure)
        {
            await Console.Error.WriteLineAsync($"router: {failure.Message}");
            return failure.ExitCode;
        }
    }
}

/// <summary>One command's call: the node's client, the parsed command line, and whether to print JSON.</summary>
public sealed record NodeCall(AdminClient Client, ParseResult Parse, bool Json)
{
    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>Prints the node's answer: as it came with <c>--json</c>, else read as <typeparamref name="T"/> and rendered for a person.</summary>
    public async Task PrintAsync<T>(Task<string> answer, JsonTypeInfo<T> type, Action<T> render)
    {
        var body = await answer;
        if (Json) CliOutput.Json(body);
        else render(Client.Read(body, type));
    }
}
