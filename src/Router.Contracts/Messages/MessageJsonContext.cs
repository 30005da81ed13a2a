using System.Text.Json.Serialization;

namespace Router.Contracts.Messages;

[JsonSerializable(typeof(KeyBudget.PolicySet))]
[JsonSerializable(typeof(KeyBudget.UsageRecorded))]
[JsonSerializable(typeof(KeyBudget.Totals))]
[JsonSerializable(typeof(KeyBudget.KeyPolicySet))]
[JsonSerializable(typeof(KeyBudget.KeyDeleted))]
[JsonSerializable(typeof(KeyBudget.ReplicaPolicy))]
[JsonSerializable(typeof(KeyBudget.ReplicaUsage))]
[JsonSerializable(typeof(KeyBudget.Provision))]
[JsonSerializable(typeof(KeyBudget.Delete))]
[JsonSerializable(typeof(KeyBudget.Admit))]
[JsonSerializable(typeof(KeyBudget.Settle))]
[JsonSerializable(typeof(KeyBudget.Settled))]
[JsonSerializable(typeof(KeyBudget.GetState))]
[JsonSerializable(typeof(KeyBudget.Flush))]
[JsonSerializable(typeof(KeyBudget.Flushed))]
[JsonSerializable(typeof(KeyBudget.Provisioned))]
[JsonSerializable(typeof(KeyBudget.Deleted))]
[JsonSerializable(typeof(KeyBudget.JournalUnavailable))]
[JsonSerializable(typeof(KeyBudget.Refused))]
[JsonSerializable(typeof(KeyBudget.State), TypeInfoPropertyName = "KeyBudgetState")]
[JsonSerializable(typeof(ProviderBreaker.RequestPermit))]
[JsonSerializable(typeof(ProviderBreaker.Permit))]
[JsonSerializable(typeof(ProviderBreaker.Refused), TypeInfoPropertyName = "BreakerRefused")]
public sealed partial class MessageJsonContext : JsonSerializerContext;
