using System.Reflection;
using Akka.Configuration;
using Akka.Persistence.Sql;

namespace Router.Host.Configuration;

/// <summary>Reads the shipped defaults and layers the operator's file over them (its <c>+=</c> adding to the shipped lists).</summary>
public static class HoconConfigLoader
{
    /// <summary>Environment variable naming the operator's file when --config is not given.</summary>
    public const string ConfigFileVariable = "ROUTER_CONFIG";

    public static Config LoadRouterConfig(string? userFile)
    {
        var defaults = Parse(ReadEmbedded("router.conf"), null);
        userFile ??= Environment.GetEnvironmentVariable(ConfigFileVariable);
        if (string.IsNullOrWhiteSpace(userFile)) return defaults;
        if (!File.Exists(userFile)) throw new ConfigException($"configuration file '{userFile}' does not exist");
        return Parse(File.ReadAllText(userFile), defaults).WithFallback(defaults);
    }

    private static Config Parse(string hocon, Config? under) => HoconAppends.Parse(hocon, Environment.GetEnvironmentVariable, under);

    /// <summary>
    /// <c>akka.conf</c> over Akka.Persistence.Sql's own defaults: the journal's class and table layout come from
    /// those, which Akka would not find by itself when it starts the plugin <c>akka.conf</c> names.
    /// </summary>
    public static Config LoadAkkaDefaults() =>
        ConfigurationFactory.ParseString(ReadEmbedded("akka.conf")).WithFallback(SqlPersistence.DefaultConfiguration);

    public static string ReadEmbedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource '{name}' is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
