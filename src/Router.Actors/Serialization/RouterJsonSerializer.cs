using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Router.Contracts.Messages;

namespace Router.Actors.Serialization;

/// <summary>
/// Serialises the router's persisted messages, and those that cross between the nodes of a pair, as JSON. Manifests are fixed short names rather than
/// CLR type names, so renaming a class never orphans a journal.
/// </summary>
public sealed class RouterJsonSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly Dictionary<Type, string> ManifestByType = new()
    {
        [typeof(KeyBudget.PolicySet)] = "kb-policy",
        [typeof(KeyBudget.UsageRecorded)] = "kb-usage",
        [typeof(KeyBudget.Totals)] = "kb-totals",
        [typeof(KeyBudget.KeyPolicySet)] = "kb-key-policy",
        [typeof(KeyBudget.KeyDeleted)] = "kb-deleted",
        // Between the nodes of a pair: a key's budget actor, wherever its shard lives, and the breakers it forwards to.
        [typeof(KeyBudget.Provision)] = "kb-provision",
        [typeof(KeyBudget.Provisioned)] = "kb-provisioned",
        [typeof(KeyBudget.Delete)] = "kb-delete",
        [typeof(KeyBudget.Deleted)] = "kb-deleted-reply",
        [typeof(KeyBudget.JournalUnavailable)] = "kb-journal-unavailable",
        [typeof(KeyBudget.Admit)] = "kb-admit",
        [typeof(KeyBudget.Refused)] = "kb-refused",
        [typeof(KeyBudget.Settle)] = "kb-settle",
        [typeof(KeyBudget.Settled)] = "kb-settled",
        [typeof(KeyBudget.GetState)] = "kb-get-state",
        [typeof(KeyBudget.State)] = "kb-state",
        [typeof(KeyBudget.Flush)] = "kb-flush",
        [typeof(KeyBudget.Flushed)] = "kb-flushed",
        [typeof(ProviderBreaker.RequestPermit)] = "pb-request-permit",
        [typeof(ProviderBreaker.Permit)] = "pb-permit",
        [typeof(ProviderBreaker.Refused)] = "pb-refused",
    };

    private static readonly Dictionary<string, Type> TypeByManifest =
        ManifestByType.ToDictionary(pair => pair.Value, pair => pair.Key);

    public override int Identifier => 4100;

    public override string Manifest(object o) =>
        ManifestByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} has no manifest in {nameof(RouterJsonSerializer)}");

    public override byte[] ToBinary(object obj) =>
        JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), MessageJsonContext.Default);

    public override object FromBinary(byte[] bytes, string manifest) =>
        TypeByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, MessageJsonContext.Default)
              ?? throw new System.Runtime.Serialization.SerializationException($"Empty payload for manifest '{manifest}'")
            : throw new System.Runtime.Serialization.SerializationException($"Unknown manifest '{manifest}'");
}
