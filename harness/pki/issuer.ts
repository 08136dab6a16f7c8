/**
 * Issues the sandbox's certificates with @peculiar/x509 on WebCrypto: one ECDSA
 * P-256 CA per world, and leaves with the SANs and EKUs the product needs
 * (CERT-1, CERT-2, PIC-2). ECDSA keeps a whole world's PKI under a second.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;

export type Eku = "serverAuth" | "clientAuth";

export interface IssuedPem {
  certPem: string;
  keyPem: string;
}

export interface CaMaterial extends IssuedPem {
  subject: string;
}

export interface LeafSpec {
  /** Subject common name: the FQDN the certificate is for. */
  commonName: string;
  /** Subject alternative DNS names (the names checked by peers, CERT-2). */
  dnsNames: string[];
  eku: Eku[];
  /** Days from now; negative for an expired certificate. */
  notBeforeDays: number;
  notAfterDays: number;
}

async function exportKey(key: CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(pkcs8, "PRIVATE KEY");
}

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey("pkcs8", x509.PemConverter.decodeFirst(pem), ALG, true, ["sign"]);
}

function serial(): string {
  // Positive, 16 bytes (RFC 5280 4.1.2.2: at most 20 octets).
  return "01" + Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString("hex");
}

export async function createCa(commonName: string, validDays = 3650): Promise<CaMaterial> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const subject = `CN=${commonName}, O=edgesim sandbox`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + validDays * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { subject, certPem: cert.toString("pem"), keyPem: await exportKey(keys.privateKey) };
}

export async function issueLeaf(ca: CaMaterial, spec: LeafSpec, reuseKeyPem?: string): Promise<IssuedPem> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKey(ca.keyPem);
  let publicKey: CryptoKey;
  let keyPem: string;
  if (reuseKeyPem) {
    // CERT-3: the same private key on every edge of a pool; derive the public key from it.
    const jwk = await webcrypto.subtle.exportKey("jwk", await importKey(reuseKeyPem));
    delete jwk.d;
    delete jwk.key_ops;
    publicKey = await webcrypto.subtle.importKey("jwk", jwk, ALG, true, ["verify"]);
    keyPem = reuseKeyPem;
  } else {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
    publicKey = keys.publicKey;
    keyPem = await exportKey(keys.privateKey);
  }
  const ekus = spec.eku.map((e) => x509.ExtendedKeyUsage[e]);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${spec.commonName}`,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() + spec.notBeforeDays * DAY),
    notAfter: new Date(Date.now() + spec.notAfterDays * DAY),
    signingAlgorithm: ALG,
    publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension(ekus, false),
      new x509.SubjectAlternativeNameExtension(spec.dnsNames.map((value) => ({ type: "dns" as const, value }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem };
}
