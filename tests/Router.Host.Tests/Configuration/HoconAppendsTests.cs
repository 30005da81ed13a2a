using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

/// <summary>Issue 20: <c>router.models += { … }</c> in an operator's file adds to the shipped routes, however it is written.</summary>
public sealed class HoconAppendsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("router-appends-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RouterSettings Load(string hocon)
    {
        var path = Path.Combine(_dir, "router.conf");
        File.WriteAllText(path, hocon);
        return RouterSettingsReader.Read(HoconConfigLoader.LoadRouterConfig(path));
    }

    private IReadOnlyList<ModelEntry> Shipped => Load("router { }").Models;

    private static readonly ModelEntry Local = new("local", "vllm", null);

    private const string Vllm = """router.providers.vllm { type = openai-compatible, api-base = "http://10.0.0.5:8000/v1" }""";

    [Fact]
    public void An_append_in_a_dotted_path_adds_to_the_shipped_models()
    {
        var settings = Load(Vllm + "\nrouter.models += { name = local, provider = vllm }");

        Assert.Equal(Shipped.Select(m => m.Name).Append("local"), settings.Models.Select(m => m.Name));
        Assert.Equal(Local, settings.Models.Single(m => m.Name == "local"));
    }

    [Fact]
    public void An_append_inside_the_router_block_adds_to_the_shipped_models()
    {
        var settings = Load($$"""
            {{Vllm}}
            router {
              # a comment that says models += { } must stay a comment
              models += {
                name = local
                provider = vllm
              }
            }
            """);

        Assert.Equal([.. Shipped, Local], settings.Models);
    }

    [Fact]
    public void Several_appends_add_in_the_files_order()
    {
        var settings = Load($$"""
            {{Vllm}}
            router.models += { name = "first", provider = vllm }
            router { models += { name = "second", provider = vllm } }
            router.models += { name = "third", provider = vllm, weight = 3 }
            """);

        Assert.Equal(["first", "second", "third"], settings.Models.Skip(Shipped.Count).Select(m => m.Name));
        Assert.Equal(3, settings.Models[^1].Weight);
    }

    [Fact]
    public void An_append_after_the_files_own_list_adds_to_that_list()
    {
        var settings = Load($$"""
            {{Vllm}}
            router {
              providers.ollama.discover = false
              models = [ { name = "gpt-*", provider = openai } ]
              models += { name = local, provider = vllm }
            }
            """);

        Assert.Equal([new ModelEntry("gpt-*", "openai", null), Local], settings.Models);
    }

    [Fact]
    public void An_append_to_an_empty_shipped_list_makes_a_list_of_one()
    {
        var settings = Load("""router.cache.shared-namespaces += "team" """);

        Assert.Equal(["team"], settings.Cache.SharedNamespaces);
    }

    [Fact]
    public void A_plus_equals_inside_a_string_is_text()
    {
        var settings = Load(Vllm + """

            router.models += { name = "a+=b", provider = vllm }
            router.providers.vllm.headers { "X-Note" = "x += 1" }
            """);

        Assert.Equal("a+=b", settings.Models[^1].Name);
        Assert.Equal("x += 1", settings.Providers.Single(p => p.Name == "vllm").Headers["X-Note"]);
    }

    [Fact]
    public void An_append_to_a_value_that_is_no_list_names_the_key()
    {
        var error = Assert.Throws<ConfigException>(() => Load("""router.http.urls += "http://0.0.0.0:4000" """));

        Assert.Contains("router.http.urls", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plus_equals_that_follows_no_key_is_refused_with_its_line()
    {
        var error = Assert.Throws<ConfigException>(() => Load("router {\n  models = [] += { name = x }\n}"));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_append_in_a_file_read_alone_adds_to_that_files_list_or_starts_one()
    {
        // As the shipped router.conf is read: nothing under it.
        var config = HoconAppends.Parse("""
            router.cache.shared-namespaces = ["a"]
            router.cache.shared-namespaces += "b"
            router.routing.fallbacks += "m"
            """, _ => null, null);

        Assert.Equal(["a", "b"], config.GetStringList("router.cache.shared-namespaces"));
        Assert.Equal(["m"], config.GetStringList("router.routing.fallbacks"));
    }

    [Fact]
    public void A_file_without_appends_is_read_as_before()
    {
        Assert.Equal(Shipped, Load("router.breaker.cooldown = 10s").Models);
    }
}
