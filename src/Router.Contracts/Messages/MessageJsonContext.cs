using System.Text.Json.Serialization;

namespace Router.Contracts.Messages;

[JsonSerializable(typeof(KeyBudget.PolicySet))]
[JsonSerializable(typeof(KeyBudget.UsageRecorded))]
[JsonSerializable(typeof(KeyBudget.Totals))]
[JsonSerializable(typeof(KeyBudget.KeyPolicySet))]
[JsonSerializable(typeof(KeyBudget.KeyDeleted))]
public sealed partial class MessageJsonContext : JsonSerializerContext;
