using System.CommandLine;
using Akka.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Cli;

/// <summary>
/// <c>router keys master</c>: prints the master key for the operator on the router's host, read where the
/// router reads it (<c>router.master-key</c> / ROUTER_MASTER_KEY, else <c>master.key</c> in the data
/// directory), so a generated key need never pass through a log. No node is asked: reading the file takes
/// the file system's permission, which is the point.
/// </summary>
public static class MasterKeyCommand
{
    public static Command Build(Option<FileInfo?> config)
    {
        var command = new Command("master",
            "Print the master key (router.master-key, else the one generated into the data directory); run it on the router's host as its user.");
        command.SetAction(parse => Print(parse.GetValue(config)));
        return command;
    }

    private static int Print(FileInfo? configFile)
    {
        string dataDir;
        try
        {
            var router = HoconConfigLoader.LoadRouterConfig(configFile?.FullName).GetConfig("router")
                         ?? throw new ConfigException("the 'router' block is missing");
            if (router.GetString("master-key", null) is { Length: > 0 } configured)
            {
                Console.WriteLine(configured);
                return ExitCodes.Ok;
            }
            dataDir = Path.GetFullPath(router.GetString("data-dir", "data"));
        }
        catch (Exception e) when (e is ConfigException or ConfigurationException or FormatException or IOException)
        {
            Console.Error.WriteLine($"router: configuration error: {e.Message}");
            return ExitCodes.InvalidConfig;
        }

        var path = Path.Combine(dataDir, MasterKeyStore.FileName);
        try
        {
            if (MasterKeyStore.Stored(dataDir) is { } stored)
            {
                Console.WriteLine(stored);
                return ExitCodes.Ok;
            }
            Console.Error.WriteLine($"router: no master key is configured and {path} holds none: the router generates it at its first start " +
                                    "(or give --config / ROUTER_DATA_DIR as the router has them)");
            return ExitCodes.NotFound;
        }
        catch (UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"router: {path} may not be read by this user: run the command as the router's user (e.g. sudo -u router router keys master)");
            return ExitCodes.AuthFailed;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"router: {path} could not be read: {e.Message}");
            return ExitCodes.NotFound;
        }
    }
}
