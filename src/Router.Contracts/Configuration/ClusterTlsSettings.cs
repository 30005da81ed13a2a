namespace Router.Contracts.Configuration;

/// <summary>
/// <c>router.cluster.tls</c>: TLS on the pair's remoting, both ways (each node presents its certificate and
/// checks the other's), so a host without a certificate the pair trusts can neither join nor listen in.
/// </summary>
/// <param name="CertificatePath">This node's certificate: PEM (its key in <paramref name="KeyPath"/> or in the same file) or PKCS#12 (.pfx/.p12, key inside).</param>
/// <param name="KeyPath">This node's private key in PEM, when it is not in the certificate's file.</param>
/// <param name="Password">Decrypts an encrypted PEM key or a PKCS#12 file; a secret, never shown.</param>
/// <param name="CaPath">PEM (or DER) file of the CA certificate(s) a peer's certificate must be signed by.</param>
/// <param name="PeerThumbprints">SHA-256 (or SHA-1) fingerprints, hex, of the certificates a peer may present.</param>
public sealed record ClusterTlsSettings(
    string CertificatePath,
    string? KeyPath,
    string? Password,
    string? CaPath,
    IReadOnlyList<string> PeerThumbprints)
{
    // Records compare lists by reference: a reload reads the same settings into a new list, which is no change.
    public bool Equals(ClusterTlsSettings? other) =>
        other is not null && CertificatePath == other.CertificatePath && KeyPath == other.KeyPath && Password == other.Password &&
        CaPath == other.CaPath && PeerThumbprints.SequenceEqual(other.PeerThumbprints);

    public override int GetHashCode() => HashCode.Combine(CertificatePath, KeyPath, CaPath, PeerThumbprints.Count);

    // Records print every property; the password must never reach a log line.
    public override string ToString() =>
        $"certificate {CertificatePath}" + (CaPath is null ? "" : $", ca {CaPath}") +
        (PeerThumbprints.Count == 0 ? "" : $", {PeerThumbprints.Count} pinned peer certificate(s)");
}
