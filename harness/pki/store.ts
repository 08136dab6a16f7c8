/**
 * The world's PKI, cached on disk between runs so a warm start does no key
 * generation: <dir>/ca.pem (+ key), a second untrusted CA for deliberately bad
 * certificates, and one JSON file per identity keyed by a hash of what was asked,
 * so a changed topology reissues only what changed. Leaves that expire within 7
 * days are reissued. The issuer (and @peculiar/x509, ~0.5 s to import) is loaded
 * only when something must be issued, so a warm start never pays for it.
 */
import { createHash, X509Certificate } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import type { Topology } from "../topology/schema.ts";
import type { CaMaterial } from "./issuer.ts";
import { planCertificates, type CertificateRequest } from "./plan.ts";

export interface IssuedIdentity extends TlsIdentity {
  request: CertificateRequest;
}

export interface WorldPki {
  dir: string;
  /** Path of the sandbox CA certificate (PEM): what clients trust. */
  caFile: string;
  ca: CaMaterial;
  untrustedCa: CaMaterial;
  identities: Map<string, IssuedIdentity>;
  identity(name: string): IssuedIdentity;
  /** How many certificates this load issued (0 on a warm start). */
  issued: number;
}

const RENEW_MS = 7 * 86_400_000;

export async function loadOrIssuePki(t: Topology, dir: string): Promise<WorldPki> {
  await mkdir(dir, { recursive: true });
  const ca = await loadOrCreateCa(dir, "ca", `edgesim ${t.name} CA`);
  const untrustedCa = await loadOrCreateCa(dir, "untrusted-ca", `untrusted rogue CA`);
  const identities = new Map<string, IssuedIdentity>();
  let issued = 0;
  const requests = planCertificates(t);
  // Shared keys first (CERT-3): their owners must exist before the sharers.
  const ordered = [...requests.filter((r) => !r.sameKeyAs), ...requests.filter((r) => r.sameKeyAs)];
  const results = await Promise.all(
    ordered.filter((r) => !r.sameKeyAs).map((r) => loadOrIssue(dir, r, r.untrustedCa ? untrustedCa : ca)),
  );
  for (const [id, fresh] of results) {
    identities.set(id.name, id);
    if (fresh) issued++;
  }
  for (const r of ordered.filter((x) => x.sameKeyAs)) {
    const owner = identities.get(r.sameKeyAs!)!;
    const [id, fresh] = await loadOrIssue(dir, r, ca, owner.keyPem);
    identities.set(id.name, id);
    if (fresh) issued++;
  }
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    ca,
    untrustedCa,
    identities,
    issued,
    identity(name) {
      const id = identities.get(name);
      if (!id) throw new RangeError(`the world's PKI has no identity '${name}' (known: ${[...identities.keys()].join(", ")})`);
      return id;
    },
  };
}

async function loadOrCreateCa(dir: string, base: string, cn: string): Promise<CaMaterial> {
  const certFile = join(dir, `${base}.pem`);
  const keyFile = join(dir, `${base}.key`);
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certFile, "utf8"), readFile(keyFile, "utf8")]);
    const cert = new X509Certificate(certPem);
    if (Date.parse(cert.validTo) - Date.now() > RENEW_MS) return { certPem, keyPem, subject: cert.subject.replace(/\n/g, ", ") };
  } catch {
    // No CA yet (or unreadable): create one below.
  }
  const { createCa } = await import("./issuer.ts");
  const ca = await createCa(cn);
  await writeFile(certFile, ca.certPem);
  await writeFile(keyFile, ca.keyPem, { mode: 0o600 });
  return ca;
}

async function loadOrIssue(dir: string, r: CertificateRequest, ca: CaMaterial, sharedKeyPem?: string): Promise<[IssuedIdentity, boolean]> {
  const file = join(dir, `${r.name.replace(/[^a-z0-9.-]+/gi, "_")}.json`);
  const hash = createHash("sha256").update(JSON.stringify(r)).update(ca.certPem).update(sharedKeyPem ?? "").digest("hex");
  const caPem = (await readFile(join(dir, "ca.pem"), "utf8"));
  try {
    const cached = JSON.parse(await readFile(file, "utf8")) as { hash: string; certPem: string; keyPem: string };
    const left = Date.parse(new X509Certificate(cached.certPem).validTo) - Date.now();
    if (cached.hash === hash && (left > RENEW_MS || r.notAfterDays < 0)) return [{ name: r.name, certPem: cached.certPem, keyPem: cached.keyPem, caPem, request: r }, false];
  } catch {
    // Not cached yet, or the cache entry is unreadable: issue below.
  }
  const { issueLeaf } = await import("./issuer.ts");
  const leaf = await issueLeaf(ca, r, sharedKeyPem);
  // The chain a peer sees: the leaf, then its CA (so a peer can tell which CA signed it).
  const certPem = leaf.certPem.trimEnd() + "\n" + (r.untrustedCa ? ca.certPem : "");
  await writeFile(file, JSON.stringify({ hash, certPem, keyPem: leaf.keyPem }), { mode: 0o600 });
  return [{ name: r.name, certPem, keyPem: leaf.keyPem, caPem, request: r }, true];
}
