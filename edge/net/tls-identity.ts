/**
 * What a TLS endpoint needs to be someone in the sandbox: its certificate chain,
 * its key and the CA(s) it trusts (mutual TLS, CERT-2). The harness PKI makes
 * these; edge roles and partners only take them.
 */
export interface TlsIdentity {
  /** The certificate's purpose name in the PKI plan, e.g. "edge-external". */
  name: string;
  certPem: string;
  keyPem: string;
  /** PEM of every CA this endpoint trusts. */
  caPem: string;
}
