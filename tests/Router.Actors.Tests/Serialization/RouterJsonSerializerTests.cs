using System.Runtime.Serialization;
using Akka.Configuration;
using Akka.Serialization;
using Router.Actors.Serialization;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.Serialization;

/// <summary>The persisted messages, bound to the router's serializer by its one registration (<see cref="RouterSerialization"/>).</summary>
public sealed class RouterJsonSerializerTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit.TestKit(RouterTestSystem.Setup(ConfigurationFactory.ParseString("akka.loglevel = WARNING")), output: output)
{
    private Akka.Serialization.Serialization Serialization => Sys.Serialization;

    private T RoundTrip<T>(T message) where T : notnull
    {
        var serializer = Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return Assert.IsType<T>(Serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }

    [Theory]
    [InlineData(typeof(KeyBudget.PolicySet))]
    [InlineData(typeof(KeyBudget.UsageRecorded))]
    [InlineData(typeof(KeyBudget.Totals))]
    [InlineData(typeof(KeyBudget.KeyPolicySet))]
    [InlineData(typeof(KeyBudget.KeyDeleted))]
    public void Every_persisted_message_type_is_bound_to_the_router_serializer(Type type) =>
        Assert.IsType<RouterJsonSerializer>(Serialization.FindSerializerForType(type));

    [Fact]
    public void Every_persisted_message_type_has_a_fixed_manifest()
    {
        var persisted = typeof(IPersistedMessage).Assembly.GetTypes()
            .Where(t => typeof(IPersistedMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false });
        var serializer = (SerializerWithStringManifest)Serialization.FindSerializerForType(typeof(IPersistedMessage));

        foreach (var type in persisted)
        {
            var manifest = serializer.Manifest(System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type));
            Assert.False(string.IsNullOrEmpty(manifest), $"{type} has no manifest");
            Assert.DoesNotContain(type.Name, manifest, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_messages_that_cross_between_nodes_round_trip()
    {
        var policy = new KeyPolicy("ab12", "sk-abc…", ["gpt-*"], "team", 5m, TimeSpan.FromDays(30), 60, 1000, DateTimeOffset.UnixEpoch.AddDays(1));
        object[] messages =
        [
            new KeyBudget.Admit("k1", "r1", "gpt-4o", "openai:gpt-*", "ab12", 0.25m, 1200),
            new KeyBudget.Admit("k1", "r1", "gpt-4o", "openai:gpt-*", "ab12", 0.25m, 1200, new KeyBudget.CompletionLimit(1000, 2, 0.0000006m, 16)),
            new KeyBudget.Admit("k1", "r1", "my/finetune", "", "ab12", Unpriced: true),
            new KeyBudget.Admit("k1", "r1", "gpt-4o", "", "ab12", 2.5m, 12000, Rough: true),
            new KeyBudget.Refused("k1", RefusalReason.ModelNotPriced, "no price"),
            new KeyBudget.Refused("k1", RefusalReason.EstimateTooRough, "count it"),
            new KeyBudget.Settle("k1", "r1", "gpt-4o", new Router.Contracts.Wire.TokenUsage(10, 20, 3), 0.0001m),
            new KeyBudget.Settle("k1", "r2", "gpt-4o", new Router.Contracts.Wire.TokenUsage(10, 20, 3), 0.0001m, Confirm: true),
            new KeyBudget.Settled("k1", "r2"),
            new KeyBudget.Provision("k1", policy),
            new KeyBudget.Refused("k1", RefusalReason.RateLimited, "slow down", TimeSpan.FromSeconds(3)),
            new KeyBudget.State("k1", policy, false, 3, 30, 60, 1.5m, 0.5m, DateTimeOffset.UnixEpoch, 0.25m, 1, 2, 90),
            new ProviderBreaker.RequestPermit("openai:gpt-*", "r1", 4.75m),
            new ProviderBreaker.Permit("openai:gpt-*", 4.75m),
            new ProviderBreaker.Refused("openai:gpt-*", TimeSpan.FromSeconds(9), 4.75m),
            new ProviderBreaker.RequestPermit("openai:gpt-*", "r1", 4.75m, 90),
            new ProviderBreaker.Permit("openai:gpt-*", 4.75m, 90),
            new ProviderBreaker.Refused("openai:gpt-*", TimeSpan.FromSeconds(9), 4.75m, 90),
        ];
        foreach (var message in messages)
        {
            var serializer = Serialization.FindSerializerFor(message);
            Assert.IsType<RouterJsonSerializer>(serializer);
            var back = Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier,
                Akka.Serialization.Serialization.ManifestFor(serializer, message));
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType()), System.Text.Json.JsonSerializer.Serialize(back, back.GetType()));
        }
    }

    /// <summary>The other node of a pair may run the version before completion limits and unpriced models: what it sends still reads.</summary>
    [Fact]
    public void Admissions_and_permits_of_the_previous_shape_still_read()
    {
        var admit = FromJson<KeyBudget.Admit>("kb-admit",
            """{"KeyId":"k1","RequestId":"r1","Model":"gpt-4o","DeploymentId":"","SecretHash":"ab12","EstimatedCost":0.25,"EstimatedTokens":1200}""");
        var permit = FromJson<ProviderBreaker.Permit>("pb-permit", """{"DeploymentId":"openai:gpt-*","KeyRemaining":4.75}""");

        Assert.Equal((0.25m, 1200, null, false), (admit.EstimatedCost, admit.EstimatedTokens, admit.Completion, admit.Unpriced));
        Assert.Equal((4.75m, null), (permit.KeyRemaining, permit.CappedMaxTokens));
    }

    [Fact]
    public void PolicySet_round_trips()
    {
        var back = RoundTrip(new KeyBudget.PolicySet(["ollama/*", "gpt-4o", "*"]));

        Assert.Equal(["ollama/*", "gpt-4o", "*"], back.AllowedModels);
    }

    [Fact]
    public void An_empty_PolicySet_round_trips()
    {
        Assert.Empty(RoundTrip(new KeyBudget.PolicySet([])).AllowedModels);
    }

    [Fact]
    public void UsageRecorded_round_trips()
    {
        var original = new KeyBudget.UsageRecorded(3_000_000_000L, 1234, long.MaxValue);

        Assert.Equal(original, RoundTrip(original));
    }

    [Fact]
    public void Totals_round_trip_including_counts_beyond_int()
    {
        var back = RoundTrip(new KeyBudget.Totals(["openrouter/*"], 3_000_000_000L, long.MaxValue, 42));

        Assert.Equal(["openrouter/*"], back.AllowedModels);
        Assert.Equal((3_000_000_000L, long.MaxValue, 42L), (back.Requests, back.PromptTokens, back.CompletionTokens));
    }

    private static readonly KeyPolicy FullPolicy = new(
        SecretHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        DisplayPrefix: "sk-9f86",
        AllowedModels: ["ollama/*", "gpt-4o-mini"],
        Alias: "ci-runner",
        MaxBudget: 12.345678m,
        BudgetDuration: TimeSpan.FromDays(30) + TimeSpan.FromMilliseconds(1),
        RpmLimit: 60,
        TpmLimit: 2_000_000,
        Expires: new DateTimeOffset(2026, 3, 1, 8, 30, 0, TimeSpan.FromHours(2)),
        Blocked: true,
        MetadataJson: """{"team":"infra","tags":["a","b"],"note":"quote \" and ünïcode"}""",
        CreatedAt: new DateTimeOffset(2025, 1, 1, 12, 0, 0, 123, TimeSpan.Zero));

    /// <summary>Records compare lists by reference: compare the models apart, then the rest.</summary>
    private static void AssertSamePolicy(KeyPolicy expected, KeyPolicy? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.AllowedModels, actual.AllowedModels);
        Assert.Equal(expected, actual with { AllowedModels = expected.AllowedModels });
        Assert.Equal(expected.Expires?.Offset, actual.Expires?.Offset);
    }

    [Fact]
    public void KeyPolicySet_round_trips_every_field()
    {
        AssertSamePolicy(FullPolicy, RoundTrip(new KeyBudget.KeyPolicySet(FullPolicy)).Policy);
    }

    [Fact]
    public void KeyPolicySet_with_only_the_required_fields_round_trips_its_defaults()
    {
        var minimal = new KeyPolicy("abc", "sk-a", []);

        var back = RoundTrip(new KeyBudget.KeyPolicySet(minimal)).Policy;

        AssertSamePolicy(minimal, back);
        Assert.Null(back.MaxBudget);
        Assert.Null(back.BudgetDuration);
        Assert.Null(back.TpmLimit);
    }

    [Fact]
    public void KeyDeleted_round_trips()
    {
        var original = new KeyBudget.KeyDeleted(new DateTimeOffset(2025, 6, 30, 23, 59, 59, 999, TimeSpan.FromHours(-5)));

        var back = RoundTrip(original);

        Assert.Equal(original, back);
        Assert.Equal(original.At.Offset, back.At.Offset);
    }

    [Fact]
    public void UsageRecorded_round_trips_with_cost_and_time()
    {
        var original = new KeyBudget.UsageRecorded(3, 1234, 567, 0.000123456789m, new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(original, RoundTrip(original));
    }

    [Fact]
    public void UsageRecorded_round_trips_the_requests_it_counts()
    {
        var back = RoundTrip(new KeyBudget.UsageRecorded(2, 10, 5, 0.01m, DateTimeOffset.UnixEpoch, ["req_a", "req_b"]));

        Assert.Equal(["req_a", "req_b"], back.RequestIds);
    }

    [Fact]
    public void UsageRecorded_without_request_ids_reads_with_none()
    {
        var back = FromJson<KeyBudget.UsageRecorded>("kb-usage", """{"Requests":1,"PromptTokens":1,"CompletionTokens":1,"Cost":0.5,"At":"2025-01-01T00:00:00+00:00"}""");

        Assert.Null(back.RequestIds);
        Assert.Equal(0.5m, back.Cost);
    }

    [Fact]
    public void Totals_round_trip_the_requests_they_remember()
    {
        var back = RoundTrip(new KeyBudget.Totals(["*"], 2, 10, 5, RequestIds: ["req_a", "req_b"]));

        Assert.Equal(["req_a", "req_b"], back.RequestIds);
    }

    [Fact]
    public void UsageRecorded_of_the_first_format_reads_as_costing_nothing_at_no_time()
    {
        var back = FromJson<KeyBudget.UsageRecorded>("kb-usage", """{"Requests":2,"PromptTokens":17,"CompletionTokens":8}""");

        Assert.Equal(new KeyBudget.UsageRecorded(2, 17, 8), back);
        Assert.Equal((0m, (DateTimeOffset?)null), (back.Cost, back.At));
    }

    [Fact]
    public void Totals_round_trip_with_policy_spend_and_period()
    {
        var original = new KeyBudget.Totals(
            FullPolicy.AllowedModels, 3_000_000_000L, 40, 2, FullPolicy, 79_228_162_514.264337593543950335m, 0.5m,
            new DateTimeOffset(2025, 1, 31, 12, 0, 0, TimeSpan.Zero), Deleted: true);

        var back = RoundTrip(original);

        AssertSamePolicy(FullPolicy, back.Policy);
        Assert.Equal(FullPolicy.AllowedModels, back.AllowedModels);
        Assert.Equal(original, back with { AllowedModels = original.AllowedModels, Policy = original.Policy });
    }

    [Fact]
    public void Totals_of_the_first_format_read_as_unspent_with_no_policy()
    {
        var back = FromJson<KeyBudget.Totals>("kb-totals",
            """{"AllowedModels":["ollama/*"],"Requests":5,"PromptTokens":50,"CompletionTokens":25}""");

        Assert.Equal(["ollama/*"], back.AllowedModels);
        Assert.Equal((5L, 50L, 25L), (back.Requests, back.PromptTokens, back.CompletionTokens));
        Assert.Equal(((KeyPolicy?)null, 0m, 0m, (DateTimeOffset?)null, false), (back.Policy, back.Spend, back.PeriodSpend, back.PeriodStart, back.Deleted));
    }

    private T FromJson<T>(string manifest, string json)
    {
        var serializer = Serialization.FindSerializerForType(typeof(T));
        return Assert.IsType<T>(Serialization.Deserialize(System.Text.Encoding.UTF8.GetBytes(json), serializer.Identifier, manifest));
    }

    [Fact]
    public void An_unknown_manifest_throws_SerializationException()
    {
        var serializer = Serialization.FindSerializerForType(typeof(KeyBudget.PolicySet));
        var bytes = serializer.ToBinary(new KeyBudget.PolicySet(["*"]));

        Assert.Throws<SerializationException>(() => Serialization.Deserialize(bytes, serializer.Identifier, "kb-renamed"));
    }

    [Fact]
    public void The_serializer_has_a_fixed_identifier() =>
        Assert.Equal(4100, Serialization.FindSerializerForType(typeof(KeyBudget.Totals)).Identifier);
}
