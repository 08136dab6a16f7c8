/**
 * What a TLS peer proved about itself (CERT-2): the certificate's SAN DNS names
 * plus its subject CN, its extended key usages, and whether it chains to a CA we
 * trust. Read from node's X509Certificate so SAN and EKU come from the DER, not
 * from a printed string.
 */
import type { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";

export const EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
export const EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

export interface PeerCertificate {
  /** SAN DNS names, then the subject CN when it is not already among them. */
  names: string[];
  /** Extended key usage OIDs; empty when the certificate has no EKU extension (any use). */
  eku: string[];
  /** The certificate chains to a trusted CA (OpenSSL's verdict). */
  trusted: boolean;
  /** OpenSSL's reason when not trusted (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, INVALID_PURPOSE). */
  trustError?: string;
}

export function namesOf(cert: X509Certificate): string[] {
  const san = (cert.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((s) => s.startsWith("DNS:"))
    .map((s) => s.slice(4).toLowerCase());
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1]?.toLowerCase();
  return cn && !san.includes(cn) ? [...san, cn] : san;
}

export function ekuLabels(eku: readonly string[]): string[] {
  return eku.map((oid) => (oid === EKU_SERVER_AUTH ? "serverAuth" : oid === EKU_CLIENT_AUTH ? "clientAuth" : oid));
}

/** The peer's certificate, or undefined when it presented none. */
export function peerCertificateOf(socket: TLSSocket): PeerCertificate | undefined {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return undefined;
  const error = socket.authorizationError;
  return {
    names: namesOf(cert),
    eku: cert.keyUsage ?? [],
    trusted: socket.authorized,
    ...(error ? { trustError: typeof error === "string" ? error : String((error as Error).message ?? error) } : {}),
  };
}

/** PIC-2: does a certificate (ours or a peer's) allow use as a TLS client? No EKU extension means any use. */
export function allowsClientAuth(eku: readonly string[]): boolean {
  return eku.length === 0 || eku.includes(EKU_CLIENT_AUTH);
}
