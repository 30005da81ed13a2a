using System.Text.RegularExpressions;
using Akka.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary>Issue 20: a key the router does not read is a warning naming the closest known key, at any depth.</summary>
public sealed partial class UnknownKeysTests
{
    private static IReadOnlyList<string> WarningsOf(string hocon) => UnknownKeys.In(ConfigurationFactory.ParseString(hocon));

    [Theory]
    [InlineData("""router.providers.x { type = openai-compatible, api_base = "http://x/v1" }""", "router.providers.x.api_base", "did you mean api-base?")]
    [InlineData("router.breaker.cooldwon = 5s", "router.breaker.cooldwon", "did you mean cooldown?")]
    [InlineData("router.master_key = abc", "router.master_key", "did you mean master-key?")]
    [InlineData("""router.models = [ { name = a, provider = b }, { name = c, provider = d, wieght = 2 } ]""", "router.models[1].wieght", "did you mean weight?")]
    [InlineData("router.models = [ { name = a, provider = b, retires = 1 } ]", "router.models[0].retires", "did you mean retries?")]
    [InlineData("""router.providers.x.timeouts { frist-byte = 5s }""", "router.providers.x.timeouts.frist-byte", "did you mean first-byte?")]
    [InlineData("""router.cache.models { "gpt-4.1" { tll = 5m } }""", "router.cache.models.\"gpt-4.1\".tll", "did you mean ttl?")]
    [InlineData("""router.prices { "m" { input-cost-per-tokens = 1 } }""", "router.prices.m.input-cost-per-tokens", "did you mean input-cost-per-token?")]
    [InlineData("router.provider-defaults.timeouts.totl = 5s", "router.provider-defaults.timeouts.totl", "did you mean total?")]
    [InlineData("routr.http.urls = x", "routr", "did you mean router?")]
    public void An_unknown_key_is_named_with_the_closest_known_one(string hocon, string path, string suggestion)
    {
        var warning = Assert.Single(WarningsOf(hocon));

        Assert.StartsWith(path + " is not a setting", warning, StringComparison.Ordinal);
        Assert.EndsWith(suggestion, warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_near_no_known_one_lists_the_keys_of_its_level_when_they_are_few()
    {
        var warning = Assert.Single(WarningsOf("router.breaker.colour = blue"));

        Assert.Contains("the keys here are: consecutive-failures-to-open, cooldown,", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_the_operator_chooses_are_not_judged_only_their_entries_keys_are()
    {
        Assert.Empty(WarningsOf("""
            router {
              providers.my-own-name {
                type = openai-compatible, api-base = "http://x/v1", local = true
                headers { "X-Anything-At-All" = "1" }
                timeouts { connect = 1s }
              }
              prices { "any/model" { input-cost-per-token = 1 } }
              cache.models { "any-model" { enabled = false, ttl = 1m } }
              models = [ { name = a, provider = my-own-name, model = b, weight = 2, max-input-tokens = 10,
                           strategy = least-in-flight, retries = 1, fallbacks = [], context-window-fallbacks = [], content-policy-fallbacks = []
                           timeouts { total = 1s } } ]
            }
            """));
    }

    [Fact]
    public void The_shipped_defaults_know_every_key_they_set()
    {
        Assert.Empty(UnknownKeys.In(HoconConfigLoader.LoadRouterConfig(null)));
    }

    [Fact]
    public void Every_shipped_example_knows_every_key_it_sets()
    {
        var examples = Directory.GetFiles(Path.Combine(RepositoryRoot(), "hocon", "examples"), "*.conf");

        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            // Their ${NAME} would need variables set: each is read as text, every variable standing for some value.
            var text = HoconEnvironment.Resolve(File.ReadAllText(example), _ => "x");
            Assert.Empty(UnknownKeys.In(ConfigurationFactory.ParseString(text)));
        }
    }

    [Theory]
    [InlineData("homelab.yaml")]
    [InlineData("team.yaml")]
    [InlineData("odd.yaml")]
    public void An_imported_LiteLLM_config_writes_only_known_keys(string fixture)
    {
        var (_, hocon) = Import.ImportFixtures.Import(fixture);

        Assert.Empty(Import.ImportFixtures.Load(hocon).Warnings);
    }

    /// <summary>The README's settings table is what operators copy from: every key it documents must be known.</summary>
    [Fact]
    public void Every_setting_the_readme_documents_is_known()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var paths = DocumentedSetting().Matches(readme).Select(m => m.Groups["path"].Value
            .Replace("<name>", "some-name", StringComparison.Ordinal)
            .Replace("\"<model>\"", "\"some-model\"", StringComparison.Ordinal)
            .Replace("\"<name>\"", "\"some-name\"", StringComparison.Ordinal)
            .Replace(" { }", "", StringComparison.Ordinal)).ToList();

        Assert.True(paths.Count > 60, $"only {paths.Count} settings found in the README's table");
        foreach (var path in paths)
            Assert.True(WarningsOf($"{path} = 1") is [], $"{path}: {string.Join("; ", WarningsOf($"{path} = 1"))}");
    }

    [GeneratedRegex("""^\| `(?<path>router\.[^`]+)`""", RegexOptions.Multiline)]
    private static partial Regex DocumentedSetting();

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Router.sln not found above the test binaries");
    }
}
