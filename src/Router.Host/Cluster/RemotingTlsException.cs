namespace Router.Host.Cluster;

/// <summary>A file of <c>router.cluster.tls</c> cannot be used; the message names the setting and the file, never a password.</summary>
public sealed class RemotingTlsException(string message, Exception? inner = null) : Exception(message, inner);
