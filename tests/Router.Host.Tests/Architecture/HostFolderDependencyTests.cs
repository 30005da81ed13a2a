using System.Text.RegularExpressions;

namespace Router.Host.Tests.Architecture;

/// <summary>
/// The Host's folders depend one way (docs/architecture.md gives their layers): a folder that names another
/// (a using, or a qualified name) may not be named back, directly or round a longer loop. Read from the source,
/// so that a stale using counts too: it says a dependency that is not there.
/// </summary>
public sealed partial class HostFolderDependencyTests
{
    [Fact]
    public void No_two_host_folders_depend_on_each_other_directly_or_round_a_loop()
    {
        var graph = FolderGraph(Path.Combine(RepositoryRoot(), "src", "Router.Host"));
        Assert.True(graph.Count > 10, "the Host's folders were not found");

        var loops = graph.Keys.Select(folder => LoopFrom(folder, graph)).OfType<string>().Distinct().ToList();

        Assert.True(loops.Count == 0, "Host folders in a dependency loop: " + string.Join("; ", loops));
    }

    /// <summary>For each folder of the Host, the other folders its files name.</summary>
    private static Dictionary<string, HashSet<string>> FolderGraph(string host)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(host, "*.*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(host, file);
            if (!(file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".razor", StringComparison.Ordinal))
                || relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal)
                || !relative.Contains(Path.DirectorySeparatorChar))
                continue;
            var folder = relative[..relative.IndexOf(Path.DirectorySeparatorChar)];
            var named = graph.TryGetValue(folder, out var known) ? known : graph[folder] = [];
            foreach (Match match in HostNamespace().Matches(File.ReadAllText(file)))
                if (match.Groups[1].Value != folder) named.Add(match.Groups[1].Value);
        }
        return graph;
    }

    /// <summary>A loop back to <paramref name="start"/> (its folders in order, smallest first so each loop is told once), if any.</summary>
    private static string? LoopFrom(string start, Dictionary<string, HashSet<string>> graph)
    {
        var path = new List<string> { start };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return Walk(start);

        string? Walk(string folder)
        {
            foreach (var next in graph.GetValueOrDefault(folder) ?? [])
            {
                if (next == start) return Describe(path);
                if (!seen.Add(next)) continue;
                path.Add(next);
                if (Walk(next) is { } loop) return loop;
                path.RemoveAt(path.Count - 1);
            }
            return null;
        }
    }

    private static string Describe(List<string> loop)
    {
        var first = loop.IndexOf(loop.Min(StringComparer.Ordinal)!);
        var rotated = loop.Skip(first).Concat(loop.Take(first)).ToList();
        return string.Join(" → ", rotated.Append(rotated[0]));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Router.sln"))) return directory.FullName;
        throw new InvalidOperationException("Router.sln was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\bRouter\.Host\.(\w+)")]
    private static partial Regex HostNamespace();
}
