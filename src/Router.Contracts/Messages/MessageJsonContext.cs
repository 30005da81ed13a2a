using System.Text.Json.Serialization;

namespace Router.Contracts.Messages;

[JsonSerializable(typeof(KeyBudget.PolicySet))]
[JsonSerializable(typeof(KeyBudget.UsageRecorded))]
[JsonSerializable(typeof(KeyBudget.Totals))]
public sealed partial class MessageJsonContext : JsonSerializerContext;
