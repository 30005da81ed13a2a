using Akka.Configuration;
using Router.Actors.Routing;
using Router.Contracts.Configuration;
using Router.Host.Configuration;

namespace Router.Host.Tests.Configuration;

public sealed class RoutingSettingsTests
{
    private static RouterSettings Read(string hocon) => RouterSettingsReader.Read(ConfigurationFactory.ParseString(hocon));

    private static string ErrorOf(string hocon) => Assert.Throws<ConfigException>(() => Read(hocon)).Message;

    private static string WithEntry(string fields) => $$"""
        router {
          providers.p { type = openai-compatible, api-base = "http://p/v1", timeouts { first-byte = 30s, total = 300s } }
          models = [ { name = "ok", provider = p }, { name = "m", provider = p, {{fields}} } ]
        }
        """;

    [Fact]
    public void A_model_entrys_routing_keys_are_read()
    {
        var entry = Read(WithEntry("""
            weight = 3, max-input-tokens = 8000, strategy = least-in-flight, retries = 4,
            fallbacks = [a, b], context-window-fallbacks = [big], content-policy-fallbacks = [lenient]
            """)).Models.Single(m => m.Name == "m");

        Assert.Equal(3, entry.Weight);
        Assert.Equal(8000, entry.MaxInputTokens);
        Assert.Equal(BalancingStrategy.LeastInFlight, entry.Policy.Strategy);
        Assert.Equal(4, entry.Policy.Retries);
        Assert.Equal(["a", "b"], entry.Policy.Fallbacks!);
        Assert.Equal(["big"], entry.Policy.ContextWindowFallbacks!);
        Assert.Equal(["lenient"], entry.Policy.ContentPolicyFallbacks!);
    }

    [Fact]
    public void An_entry_that_sets_nothing_has_weight_1_and_an_unset_policy()
    {
        var entry = Read(WithEntry("model = x")).Models.Single(m => m.Name == "m");

        Assert.Equal(1, entry.Weight);
        Assert.Null(entry.MaxInputTokens);
        Assert.Null(entry.Timeouts);
        Assert.Equal(RoutingPolicy.Unset, entry.Policy);
    }

    [Theory]
    [InlineData("weighted-round-robin", BalancingStrategy.WeightedRoundRobin)]
    [InlineData("least-in-flight", BalancingStrategy.LeastInFlight)]
    [InlineData("lowest-latency", BalancingStrategy.LowestLatency)]
    public void Each_strategy_name_is_read(string name, BalancingStrategy strategy) =>
        Assert.Equal(strategy, Read(WithEntry($"strategy = {name}")).Models.Single(m => m.Name == "m").Policy.Strategy);

    [Theory]
    [InlineData("weight = 0", "router.models[1].weight")]
    [InlineData("weight = -2", "router.models[1].weight")]
    [InlineData("retries = -1", "router.models[1].retries")]
    [InlineData("strategy = random", "router.models[1].strategy")]
    [InlineData("fallbacks = gpt-4o", "router.models[1].fallbacks")]
    [InlineData("context-window-fallbacks = big", "router.models[1].context-window-fallbacks")]
    [InlineData("content-policy-fallbacks = lenient", "router.models[1].content-policy-fallbacks")]
    [InlineData("max-input-tokens = 0", "router.models[1].max-input-tokens")]
    public void An_invalid_entry_key_names_the_key(string fields, string key) =>
        Assert.Contains(key, ErrorOf(WithEntry(fields)), StringComparison.Ordinal);

    [Fact]
    public void An_unknown_strategy_lists_the_known_ones()
    {
        var message = ErrorOf(WithEntry("strategy = random"));

        Assert.Contains("random", message, StringComparison.Ordinal);
        Assert.Contains("least-in-flight", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fallbacks")]
    [InlineData("context-window-fallbacks")]
    [InlineData("content-policy-fallbacks")]
    public void An_empty_fallback_list_is_read_as_set_and_empty(string key)
    {
        var policy = Read(WithEntry($"{key} = []")).Models.Single(m => m.Name == "m").Policy;

        Assert.Empty(new[] { policy.Fallbacks, policy.ContextWindowFallbacks, policy.ContentPolicyFallbacks }.Single(l => l is not null)!);
    }

    [Theory]
    [InlineData("retries = -1", "router.routing.retries")]
    [InlineData("strategy = fastest", "router.routing.strategy")]
    [InlineData("fallbacks = other", "router.routing.fallbacks")]
    public void An_invalid_default_policy_key_names_the_key(string fields, string key) =>
        Assert.Contains(key, ErrorOf($$"""router.routing { {{fields}} }"""), StringComparison.Ordinal);

    [Fact]
    public void Entry_timeouts_override_only_what_they_set_and_inherit_the_rest_from_the_provider()
    {
        var entry = Read(WithEntry("timeouts { connect = 2s, total = 20s }")).Models.Single(m => m.Name == "m");

        Assert.Equal(
            new ProviderTimeouts(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(20)),
            entry.Timeouts);
    }

    [Fact]
    public void Entry_timeouts_inherit_the_provider_defaults_the_provider_took()
    {
        var entry = Read("""
            router {
              provider-defaults.timeouts { stream-idle = 15s }
              providers.p { type = openai-compatible, api-base = "http://p/v1" }
              models = [ { name = "m", provider = p, timeouts.first-byte = 9s } ]
            }
            """).Models.Single();

        Assert.Equal(
            new ProviderTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(600)),
            entry.Timeouts);
    }

    [Fact]
    public void The_retry_block_is_read()
    {
        var retry = Read("""
            router.retry { base-delay = 50ms, max-delay = 5s, max-retry-after = 30s, budget-ratio = 0.5, budget-min-per-second = 1 }
            """).Retry;

        Assert.Equal(
            new RetrySettings(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), 0.5, 1),
            retry);
    }

    [Fact]
    public void Without_a_retry_block_the_standard_pacing_applies() =>
        Assert.Equal(RetrySettings.Standard, Read("router.http.urls = \"http://127.0.0.1:4000\"").Retry);

    [Theory]
    [InlineData("budget-ratio = -0.1", "budget-ratio")]
    [InlineData("budget-min-per-second = -1", "budget-min-per-second")]
    public void A_negative_retry_budget_names_the_key(string fields, string key)
    {
        var message = ErrorOf($$"""router.retry { {{fields}} }""");

        Assert.Contains("router.retry", message, StringComparison.Ordinal);
        Assert.Contains(key, message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_breaker_block_is_read()
    {
        var breaker = Read("""
            router.breaker {
              consecutive-failures-to-open = 3, cooldown = 10s,
              failure-rate-to-open = 0.25, failure-rate-window = 30s, minimum-calls-in-window = 8
            }
            """).Breaker;

        Assert.Equal(new BreakerSettings(3, TimeSpan.FromSeconds(10), 0.25, TimeSpan.FromSeconds(30), 8), breaker);
    }

    [Fact]
    public void A_failure_rate_of_1_is_accepted() =>
        Assert.Equal(1, Read("router.breaker.failure-rate-to-open = 1").Breaker.FailureRateToOpen);

    [Theory]
    [InlineData("0")]
    [InlineData("-0.5")]
    [InlineData("1.5")]
    public void A_failure_rate_outside_0_to_1_names_the_key(string value) =>
        Assert.Contains("router.breaker.failure-rate-to-open",
            ErrorOf($"router.breaker.failure-rate-to-open = {value}"), StringComparison.Ordinal);

    [Fact]
    public void Without_a_routing_block_models_get_the_standard_policy()
    {
        var settings = Read(WithEntry("model = x"));

        var group = RouteTable.Build(settings.Models, new HashSet<string> { "p" }, settings.DefaultPolicy).Resolve("m")!.Group;

        Assert.Equal(RoutingPolicy.Standard.Strategy, group.Policy.Strategy);
        Assert.Equal(RoutingPolicy.Standard.Retries, group.Policy.Retries);
        Assert.Empty(group.Policy.Fallbacks!);
    }

    [Fact]
    public void The_default_policy_applies_to_a_model_that_sets_nothing_and_an_entrys_own_value_wins()
    {
        var settings = Read("""
            router {
              routing { strategy = lowest-latency, retries = 1, fallbacks = [backup] }
              providers.p { type = openai-compatible, api-base = "http://p/v1" }
              models = [
                { name = "plain", provider = p },
                { name = "own", provider = p, retries = 5, fallbacks = [] },
                { name = "backup", provider = p },
              ]
            }
            """);
        var table = RouteTable.Build(settings.Models, new HashSet<string> { "p" }, settings.DefaultPolicy);

        var plain = table.Resolve("plain")!.Group.Policy;
        var own = table.Resolve("own")!.Group.Policy;

        Assert.Equal((BalancingStrategy.LowestLatency, 1), (plain.Strategy!.Value, plain.Retries!.Value));
        Assert.Equal(["backup"], plain.Fallbacks!);
        Assert.Empty(plain.ContextWindowFallbacks!);
        Assert.Equal((BalancingStrategy.LowestLatency, 5), (own.Strategy!.Value, own.Retries!.Value));
        Assert.Empty(own.Fallbacks!);
    }
}
