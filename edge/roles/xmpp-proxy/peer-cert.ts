/**
 * What an XMPP server needs to know about the peer's certificate (RFC 6120 13.7.2,
 * XEP-0178): does it chain to a CA we trust, and which domains does it name
 * (subjectAltName DNS entries; RFC 6125 matching of the domain, exact or one
 * wildcard label).
 */
import { X509Certificate } from "node:crypto";

export interface PeerCertificateInfo {
  present: boolean;
  /** Chains to a CA we trust, and is within its validity period. */
  trusted: boolean;
  names: string[];
  eku: string[];
  error?: string;
}

export function peerCertificateInfo(cert: X509Certificate | undefined, authorized: boolean, error: string | undefined, caPem?: string): PeerCertificateInfo {
  if (!cert) return { present: false, trusted: false, names: [], eku: [], error: "the peer presented no certificate" };
  // A TLSSocket wrapped by hand (STARTTLS server side) does not set `authorized`: check the chain ourselves.
  const trusted = authorized || (caPem !== undefined && issuedByOneOf(cert, caPem));
  const names = (cert.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((s) => s.startsWith("DNS:"))
    .map((s) => s.slice(4).toLowerCase());
  const why = trusted ? undefined : (error ?? "the certificate does not chain to a CA we trust, or is outside its validity period");
  return { present: true, trusted, names, eku: cert.keyUsage ?? [], ...(why ? { error: why } : {}) };
}

/** The leaf is signed by one of the CAs (the sandbox issues leaves directly from its CA) and valid now. */
function issuedByOneOf(cert: X509Certificate, caPem: string): boolean {
  const now = Date.now();
  if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) return false;
  for (const pem of caPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
    const ca = new X509Certificate(pem);
    if (cert.checkIssued(ca) && cert.verify(ca.publicKey)) return true;
  }
  return false;
}

/** RFC 6125 6.4: the certificate names `domain` exactly or by a wildcard in the left-most label. */
export function certificateNames(info: PeerCertificateInfo | undefined, domain: string): boolean {
  if (!info) return false;
  const d = domain.toLowerCase().replace(/\.$/, "");
  return info.names.some((n) => n === d || (n.startsWith("*.") && d.split(".").slice(1).join(".") === n.slice(2)));
}

/** XEP-0178: SASL EXTERNAL is possible when the certificate is trusted and names the domain. */
export function certificateAuthenticates(info: PeerCertificateInfo | undefined, domain: string): boolean {
  return info !== undefined && info.trusted && certificateNames(info, domain);
}
