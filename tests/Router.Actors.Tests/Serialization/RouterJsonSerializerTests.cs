using System.Runtime.Serialization;
using Akka.Configuration;
using Akka.Serialization;
using Router.Actors.Serialization;
using Router.Contracts.Messages;

namespace Router.Actors.Tests.Serialization;

/// <summary>The persisted messages, bound to the router's serializer exactly as hocon/akka.conf binds them.</summary>
public sealed class RouterJsonSerializerTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit.TestKit(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.actor {
          serializers {
            router-json = "Router.Actors.Serialization.RouterJsonSerializer, Router.Actors"
          }
          serialization-bindings {
            "Router.Contracts.Messages.IPersistedMessage, Router.Contracts" = router-json
          }
        }
        """), output: output)
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
