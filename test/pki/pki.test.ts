import { beforeAll, describe, expect, it } from "vitest";
import { X509Certificate } from "node:crypto";
import tls from "node:tls";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrIssuePki, type WorldPki } from "../../harness/pki/store.ts";
import { issueLeaf } from "../../harness/pki/issuer.ts";
import { planCertificates, xmppWildcards } from "../../harness/pki/plan.ts";
import { certificateNames, peerCertificateInfo } from "../../edge/roles/xmpp-proxy/peer-cert.ts";
import { buildAddressPlan } from "../../harness/world/address-plan.ts";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { topologyAt } from "../kit/world.ts";

const topology = topologyAt(ZONE_BASE.pki, "contoso", (t) => {
  const aim = t.partners.find((p) => p.domain === "aim.test")!;
  aim.certificate = { ...aim.certificate, omitClientAuth: true };
  const blocked = t.partners.find((p) => p.domain === "blocked.test")!;
  blocked.certificate = { ...blocked.certificate, untrustedCa: true };
  const adatum = t.partners.find((p) => p.domain === "adatum.test")!;
  adatum.certificate = { ...adatum.certificate, expired: true };
  const northwind = t.partners.find((p) => p.domain === "northwind.test")!;
  northwind.certificate = { ...northwind.certificate, wrongSan: true };
});
const plan = buildAddressPlan(topology);
let pki: WorldPki;
const dir = mkdtempSync(join(tmpdir(), "edgesim-pki-"));

beforeAll(async () => {
  pki = await loadOrIssuePki(topology, dir);
});

interface HandshakeResult {
  ok: boolean;
  error?: string;
  serverSawNames?: string[];
  serverSawEku?: string[];
  clientSawNames?: string[];
  /** Why the server refused the handshake, as OpenSSL said it. */
  serverError?: string;
}

/** A real mutual-TLS handshake between two world hosts on their planned addresses. */
async function mutualTls(server: { id: TlsIdentity; address: string }, client: { id: TlsIdentity; address: string }, servername: string): Promise<HandshakeResult> {
  let serverSaw: X509Certificate | undefined;
  let serverError: string | undefined;
  // The server checks the client itself (as the edge does) so the refusal carries OpenSSL's reason.
  const srv = tls.createServer({ cert: server.id.certPem, key: server.id.keyPem, ca: server.id.caPem, requestCert: true, rejectUnauthorized: false }, (s) => {
    if (!s.authorized) {
      serverError = String(s.authorizationError);
      s.destroy();
      return;
    }
    serverSaw = s.getPeerX509Certificate();
    s.end("ok");
  });
  await new Promise<void>((r) => srv.listen(0, server.address, r));
  const port = (srv.address() as { port: number }).port;
  try {
    return await new Promise<HandshakeResult>((resolve) => {
      // localAddress: dial from the client host's own address (a net option tls.connect passes on).
      const options = { host: server.address, port, localAddress: client.address, servername, cert: client.id.certPem, key: client.id.keyPem, ca: client.id.caPem, rejectUnauthorized: true };
      const c = tls.connect(options as tls.ConnectionOptions);
      c.on("data", () => {
        const names = (c.getPeerX509Certificate()?.subjectAltName ?? "").replace(/DNS:/g, "").split(", ");
        resolve({ ok: true, serverSawNames: (serverSaw?.subjectAltName ?? "").replace(/DNS:/g, "").split(", "), serverSawEku: serverSaw?.keyUsage ?? [], clientSawNames: names });
        c.end();
      });
      const fail = (error: string) => setTimeout(() => resolve({ ok: false, error, ...(serverError ? { serverError } : {}) }), 50);
      c.on("error", (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
      c.on("close", () => fail("closed by the server"));
    });
  } finally {
    srv.close();
  }
}

const edgeExt = () => ({ id: pki.identity("edge-external"), address: plan.byHost("edge1", "external-access").address });
const partner = (domain: string, edge = "edge1") => ({ id: pki.identity(`partner:${domain}:${edge}`), address: plan.find((e) => e.fqdn !== undefined && e.host === `${domain.split(".")[0]}-${edge}`)[0]!.address });

describe("the sandbox PKI", () => {
  it("CERT-2: a mutual-TLS handshake between our Access Edge and a partner edge; each reads the other's SAN and EKU", async () => {
    const r = await mutualTls(partner("fabrikam.test"), edgeExt(), "sip1.fabrikam.test");
    expect(r.ok, r.error).toBe(true);
    expect(r.serverSawNames).toContain("sip.contoso.test");
    expect(r.serverSawEku).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
    expect(r.clientSawNames).toContain("sip1.fabrikam.test");
  });

  it("CERT-1: the Access Edge external certificate names sip.<domain>, webconf, xmpp and the SIP domain", () => {
    const cert = new X509Certificate(pki.identity("edge-external").certPem);
    expect(cert.subject).toContain("CN=sip.contoso.test");
    for (const name of ["sip.contoso.test", "webconf.contoso.test", "xmpp.contoso.test", "contoso.test"]) expect(cert.subjectAltName).toContain(`DNS:${name}`);
  });

  it("CERT-1: with XMPP federation the external certificate carries *.<domain> for each SIP domain, and an XMPP partner checking a name under the domain accepts it over real TLS", async () => {
    expect(new X509Certificate(pki.identity("edge-external").certPem).subjectAltName).toContain("DNS:*.contoso.test");
    // jabber.test's server dials our edge for chat.contoso.test (a service under our XMPP domain):
    // Node's RFC 6125 check (rejectUnauthorized) and our own XMPP peer check both accept the wildcard.
    const r = await mutualTls(edgeExt(), partner("jabber.test", "xmpp1"), "chat.contoso.test");
    expect(r.ok, r.error).toBe(true);
    const info = peerCertificateInfo(new X509Certificate(pki.identity("edge-external").certPem), true, undefined);
    expect(certificateNames(info, "chat.contoso.test")).toBe(true);
    // A wildcard covers one label: the bare domain is named by its own SAN, deeper names by nothing.
    expect(certificateNames(info, "contoso.test")).toBe(true);
    expect(certificateNames(info, "a.b.contoso.test")).toBe(false);
  });

  it("CERT-1: without XMPP federation (no XMPP proxy, EnableXmppFederation off) there is no *.<domain>, and the same handshake fails the name check", async () => {
    const noXmpp = structuredClone(topology);
    delete noXmpp.organisation.edgePool.xmppFqdn;
    noXmpp.federation.EnableXmppFederation = false;
    const ext = planCertificates(noXmpp).find((c) => c.name === "edge-external")!;
    expect(ext.dnsNames.filter((n) => n.startsWith("*."))).toEqual([]);
    expect(xmppWildcards(noXmpp)).toEqual([]);
    const leaf = await issueLeaf(pki.ca, ext);
    const r = await mutualTls({ id: { ...pki.identity("edge-external"), certPem: leaf.certPem, keyPem: leaf.keyPem }, address: edgeExt().address }, partner("jabber.test", "xmpp1"), "chat.contoso.test");
    expect(r.ok).toBe(false);
    expect(r.error).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
  });

  it("CERT-1: every SIP domain gets its wildcard", () => {
    const two = structuredClone(topology);
    two.organisation.sipDomains = ["contoso.test", "contoso-two.test"];
    expect(xmppWildcards(two)).toEqual(["*.contoso.test", "*.contoso-two.test"]);
    expect(planCertificates(two).find((c) => c.name === "edge-external")!.dnsNames).toEqual(expect.arrayContaining(["*.contoso.test", "*.contoso-two.test", "contoso-two.test", "sip.contoso-two.test"]));
  });

  it("PIC-2: a certificate without the clientAuth EKU is refused when it is presented as a TLS client", async () => {
    // aim.test's edge certificate lacks clientAuth; when it dials our edge, OpenSSL refuses its purpose.
    const control = await mutualTls(edgeExt(), partner("litware.test"), "sip.contoso.test");
    expect(control.ok, control.error).toBe(true);
    const r = await mutualTls(edgeExt(), partner("aim.test"), "sip.contoso.test");
    expect(r.ok).toBe(false);
    expect(r.serverError).toBe("INVALID_PURPOSE");
    expect(new X509Certificate(pki.identity("partner:aim.test:edge1").certPem).keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
  });

  it("CERT-2: a certificate from a CA the edge does not trust is refused", async () => {
    const r = await mutualTls(edgeExt(), partner("blocked.test"), "sip.contoso.test");
    expect(r.ok).toBe(false);
    expect(r.serverError).toMatch(/^(UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/);
  });

  it("CERT-2: an expired partner certificate is refused by the client that checks it", async () => {
    const r = await mutualTls(partner("adatum.test"), edgeExt(), "sip.adatum.test");
    expect(r.ok).toBe(false);
    expect(r.error).toBe("CERT_HAS_EXPIRED");
  });

  it("CERT-2: the name checked is the FQDN dialled; a certificate with the wrong SAN fails it", async () => {
    const r = await mutualTls(partner("northwind.test"), edgeExt(), "sip1.northwind.test");
    expect(r.ok).toBe(false);
    expect(r.error).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
  });

  it("CERT-3: the A/V authentication certificate uses the same private key on every edge of the pool", () => {
    const av = new X509Certificate(pki.identity("av-auth").certPem).publicKey.export({ format: "der", type: "spki" });
    const internal = new X509Certificate(pki.identity("edge-internal").certPem).publicKey.export({ format: "der", type: "spki" });
    expect(Buffer.compare(av, internal)).toBe(0);
  });

  it("certificates are cached on disk: a second load issues nothing and returns the same certificates", async () => {
    const again = await loadOrIssuePki(topology, dir);
    expect(again.issued).toBe(0);
    expect(again.identity("edge-external").certPem).toBe(pki.identity("edge-external").certPem);
  });

  it("a changed certificate request reissues only that certificate", async () => {
    const changed = structuredClone(topology);
    changed.partners.find((p) => p.domain === "fabrikam.test")!.certificate.omitClientAuth = true;
    const after = await loadOrIssuePki(changed, dir);
    expect(after.issued).toBe(2); // fabrikam's two edges
    expect(after.identity("partner:fabrikam.test:edge1").certPem).not.toBe(pki.identity("partner:fabrikam.test:edge1").certPem);
  });
});
