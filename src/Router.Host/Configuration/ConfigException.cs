namespace Router.Host.Configuration;

/// <summary>The configuration cannot be served; the message names the key at fault.</summary>
public sealed class ConfigException(string message) : Exception(message);
