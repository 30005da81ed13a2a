using Akka.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class HoconEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }

    private static Config Parse(string hocon, Func<string, string?> env) =>
        ConfigurationFactory.ParseString(HoconEnvironment.Resolve(hocon, env));

    [Fact]
    public void A_set_variable_is_substituted_as_a_quoted_string()
    {
        var resolved = HoconEnvironment.Resolve("api-key = ${?OPENAI_API_KEY}", Env(("OPENAI_API_KEY", "sk-123")));

        Assert.Equal("api-key = \"sk-123\"", resolved);
    }

    [Theory]
    [InlineData("pa\"ss\\word")]
    [InlineData("http://host:8080/v1#frag // not a comment")]
    [InlineData("${NOT_A_SUBSTITUTION} = { [ ] } , x")]
    [InlineData("C:\\data\\router")]
    [InlineData("")]
    public void Any_value_survives_quoting(string value)
    {
        var config = Parse("k = ${?X}", Env(("X", value)));

        Assert.Equal(value, config.GetString("k"));
    }

    [Fact]
    public void Both_separators_and_quoted_keys_are_substituted()
    {
        var config = Parse("""
            a: ${?A}
            "X-Title" = ${?B}
            c=${C}
            """, Env(("A", "1"), ("B", "two"), ("C", "3")));

        Assert.Equal(("1", "two", "3"), (config.GetString("a"), config.GetString("X-Title"), config.GetString("c")));
    }

    [Fact]
    public void An_unset_optional_variable_removes_the_key()
    {
        var config = Parse("""
            k = ${?X}
            other = 1
            """, Env());

        Assert.False(config.HasPath("k"));
        Assert.Equal(1, config.GetInt("other"));
    }

    [Fact]
    public void An_unset_optional_variable_keeps_an_earlier_value_of_the_key()
    {
        var config = Parse("""
            data-dir = "data"
            data-dir = ${?ROUTER_DATA_DIR}
            """, Env());

        Assert.Equal("data", config.GetString("data-dir"));
    }

    [Fact]
    public void A_set_optional_variable_overrides_an_earlier_value_of_the_key()
    {
        var config = Parse("""
            data-dir = "data"
            data-dir = ${?ROUTER_DATA_DIR}
            """, Env(("ROUTER_DATA_DIR", "/var/lib/router")));

        Assert.Equal("/var/lib/router", config.GetString("data-dir"));
    }

    [Fact]
    public void An_unset_optional_variable_inline_removes_only_its_key()
    {
        var config = Parse("o { a = 1, k = ${?X}, b = 2 }", Env());

        Assert.False(config.HasPath("o.k"));
        Assert.Equal((1, 2), (config.GetInt("o.a"), config.GetInt("o.b")));
    }

    [Fact]
    public void An_unset_optional_variable_last_in_an_object_removes_its_key()
    {
        var config = Parse("o { a = 1, k = ${?X} }\nnext = 3", Env());

        Assert.False(config.HasPath("o.k"));
        Assert.Equal((1, 3), (config.GetInt("o.a"), config.GetInt("next")));
    }

    [Fact]
    public void A_set_variable_inline_keeps_the_rest_of_the_object()
    {
        var config = Parse("o { a = 1, k = ${?X}, b = 2 }", Env(("X", "v")));

        Assert.Equal(("1", "v", "2"), (config.GetString("o.a"), config.GetString("o.k"), config.GetString("o.b")));
    }

    [Fact]
    public void A_required_unset_variable_throws_naming_the_key_and_the_variable()
    {
        var error = Assert.Throws<ConfigException>(() => HoconEnvironment.Resolve("master-key = ${ROUTER_MASTER_KEY}", Env()));

        Assert.Contains("master-key", error.Message, StringComparison.Ordinal);
        Assert.Contains("ROUTER_MASTER_KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_required_set_variable_is_substituted()
    {
        Assert.Equal("k", Parse("key = ${K}", Env(("K", "k"))).GetString("key"));
    }

    [Fact]
    public void Dotted_names_are_config_paths_left_to_HOCON()
    {
        const string hocon = """
            defaults { timeout = 5s }
            a = ${defaults.timeout}
            b = ${?defaults.missing}
            """;
        var asked = new List<string>();

        var resolved = HoconEnvironment.Resolve(hocon, name => { asked.Add(name); return null; });

        Assert.Equal(hocon, resolved);
        Assert.Empty(asked);
        Assert.Equal(TimeSpan.FromSeconds(5), ConfigurationFactory.ParseString(resolved).GetTimeSpan("a"));
    }

    [Fact]
    public void Text_without_substitutions_is_unchanged()
    {
        const string hocon = "a = \"${not a name}\"\nb = 1 # ${?}";

        Assert.Equal(hocon, HoconEnvironment.Resolve(hocon, _ => throw new InvalidOperationException("no lookup expected")));
    }

    [Fact]
    public void A_commented_out_line_needs_no_variable()
    {
        var config = Parse("""
            # api-key = ${OPENAI_API_KEY}
            // token = ${SECRET_TOKEN}
            a = 1
            """, Env());

        Assert.Equal(1, config.GetInt("a"));
    }

    [Fact]
    public void A_value_with_a_line_break_survives_quoting()
    {
        var config = Parse("k = ${?X}", Env(("X", "line one\nline two\ttabbed")));

        Assert.Equal("line one\nline two\ttabbed", config.GetString("k"));
    }
}
