using System.Text.RegularExpressions;
using Router.Contracts.Configuration;

namespace Router.Host.Configuration;

/// <summary>
/// Resolves <c>key = ${?NAME}</c> and <c>key = ${NAME}</c> from the environment before parsing. Akka's
/// built-in HOCON parser does not read the environment (and mis-parses what follows an unresolved
/// optional substitution), so this is done here, with HOCON's meaning: an optional substitution of an
/// unset variable leaves the key unset, a required one is an error. Names with dots are config paths
/// and are left to HOCON.
/// </summary>
public static partial class HoconEnvironment
{
    [GeneratedRegex("""(?<key>"[^"\n]*"|[A-Za-z0-9_\-.]+)[ \t]*(?<sep>[=:])[ \t]*\$\{(?<optional>\?)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}(?<comma>[ \t]*,)?""")]
    private static partial Regex Substitution();

    public static string Resolve(string hocon, Func<string, string?> environment) =>
        string.Join('\n', hocon.Split('\n').Select(line =>
        {
            // Comments are left alone: a commented-out `${NAME}` must not demand its variable.
            var codeLength = CodeLength(line);
            return ResolveCode(line[..codeLength], environment) + line[codeLength..];
        }));

    private static string ResolveCode(string code, Func<string, string?> environment) =>
        Substitution().Replace(code, match =>
        {
            var name = match.Groups["name"].Value;
            var value = environment(name);
            if (value is not null)
                return $"{match.Groups["key"].Value} {match.Groups["sep"].Value} {HoconQuoting.Quote(value)}{match.Groups["comma"].Value}";
            if (match.Groups["optional"].Success) return string.Empty;
            throw new ConfigException($"'{match.Groups["key"].Value}' needs the environment variable {name}, which is not set");
        });

    /// <summary>Where a line's comment (<c>#</c> or <c>//</c> outside a quoted string) starts, or its length.</summary>
    internal static int CodeLength(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            switch (line[i])
            {
                case '\\' when quoted:
                    i++;
                    break;
                case '"':
                    quoted = !quoted;
                    break;
                case '#' when !quoted:
                    return i;
                case '/' when !quoted && i + 1 < line.Length && line[i + 1] == '/':
                    return i;
            }
        }
        return line.Length;
    }
}
