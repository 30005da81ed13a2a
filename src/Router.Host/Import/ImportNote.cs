namespace Router.Host.Import;

/// <summary>
/// Something of the LiteLLM config the importer could not carry over as it was: the key it comes
/// from (<c>model_list[3] (gpt-4o).litellm_params.rpm</c>) and what the operator should know or do.
/// Printed on stderr and repeated at the top of the generated file; never holds a secret's value.
/// </summary>
public sealed record ImportNote(string Key, string Message)
{
    public override string ToString() => Message.StartsWith("= ", StringComparison.Ordinal) ? $"{Key} {Message}" : $"{Key}: {Message}";
}

/// <summary>The file cannot be imported at all (missing, not YAML, not a LiteLLM config).</summary>
public sealed class ImportException(string message) : Exception(message);
