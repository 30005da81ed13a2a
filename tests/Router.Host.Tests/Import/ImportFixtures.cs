using Akka.Configuration;
using Router.Contracts.Configuration;
using Router.Host.Configuration;
using Router.Host.Import;

namespace Router.Host.Tests.Import;

/// <summary>The LiteLLM configs under Import/configs, imported and loaded back the way the router loads a file.</summary>
internal static class ImportFixtures
{
    public static string ConfigPath(string name) => Path.Combine(RepositoryRoot(), "tests", "Router.Host.Tests", "Import", "configs", name);

    public static (ImportResult Result, string Hocon) Import(string name)
    {
        var result = LiteLlmImporter.Import(File.ReadAllText(ConfigPath(name)));
        return (result, HoconWriter.Write(result, name));
    }

    /// <summary>Through the router's own loader: the file written to disk, layered over the shipped defaults.</summary>
    public static RouterSettings Load(string hocon)
    {
        var file = Path.Combine(Path.GetTempPath(), $"router-import-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, hocon);
        try
        {
            return RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Like <see cref="Load"/>, with the environment the test decides instead of the process's.</summary>
    public static RouterSettings Load(string hocon, params (string Name, string Value)[] environment)
    {
        var map = environment.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        var defaults = ConfigurationFactory.ParseString(HoconEnvironment.Resolve(HoconConfigLoader.ReadEmbedded("router.conf"), map.GetValueOrDefault));
        return RouterSettingsReader.Read(ConfigurationFactory.ParseString(HoconEnvironment.Resolve(hocon, map.GetValueOrDefault)).WithFallback(defaults));
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Router.sln not found above the test binaries");
    }
}
