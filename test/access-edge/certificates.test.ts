/**
 * CERT-2, PIC-2 and FED-4 over real TLS: the name checked is the FQDN from SRV or
 * ProxyFqdn; untrusted and wrongly named peers fail visibly; a public IM provider
 * needs our clientAuth EKU; a partner that moved its edge breaks direct federation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { captureEvents, dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";
import { RawSip } from "./raw-sip.ts";

let world: World;
let trace: ReturnType<typeof captureEvents>;
const knobs = { omitClientAuth: false, wrongSan: false, expired: false, untrustedCa: false };

beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeCertificates, "contoso", (t) => {
    dnsLoadBalanced(t);
    t.organisation.edgePool.certificate.omitClientAuth = true;
    t.partners.find((p) => p.domain === "adatum.test")!.certificate.wrongSan = true;
    t.partners.find((p) => p.domain === "northwind.test")!.certificate.untrustedCa = true;
    // FED-4, the A record moved: sip.litware.test now points at fabrikam's edge.
    t.dnsRecords.push({ view: "external", name: "sip.litware.test", type: "A", value: "fabrikam-edge1", priority: 0, weight: 100, replace: true });
    // FED-4, the edge renamed: moved.test is allowed with its old ProxyFqdn, its edge is now newsip.moved.test.
    t.federation.allowedDomains.push({ Identity: "moved.test", ProxyFqdn: "sip.moved.test", MarkForMonitoring: false });
    t.partners.push({ domain: "moved.test", product: "lync2013", edges: [{ name: "edge1", fqdn: "newsip.moved.test" }], loadBalancing: "dns", users: ["mo@moved.test"], hostedDomains: [], publishSrv: true, certificate: { ...knobs } });
  }), { services: SIP_SERVICES });
  trace = captureEvents(world);
});
afterAll(async () => {
  trace?.stop();
  await world?.stop();
});

const fe = () => frontEndOf(world);
const partner = (d: string) => sipPartnerOf(world, d);

describe("outbound: what breaks, and the diagnostics that say so", () => {
  const cases = [
    { rule: "PIC-2", name: "our certificate lacks clientAuth: AOL (public IM) is refused before dialling", to: "buddy@aim.test", status: 504, code: 54031 },
    { rule: "CERT-2", name: "adatum's certificate does not name its SRV target", to: "ada@adatum.test", status: 504, code: 54021 },
    { rule: "CERT-2", name: "northwind's certificate comes from a CA we do not trust", to: "nancy@northwind.test", status: 504, code: 54022 },
    { rule: "CERT-2", name: "FED-4 moved A record: sip.litware.test now reaches a server named otherwise", to: "lee@litware.test", status: 504, code: 54021 },
    { rule: "DNS-1", name: "FED-4 renamed edge: the old ProxyFqdn no longer resolves", to: "mo@moved.test", status: 504, code: 54012 },
  ];
  for (const c of cases)
    it(`${c.rule}: ${c.name}`, async () => {
      const mark = trace.events.length;
      const r = await fe().user("carol@contoso.test").sendMessage(c.to, "x");
      expect(r.status).toBe(c.status);
      expect(r.diagnostics?.code).toBe(c.code);
      expect(r.diagnostics?.text.startsWith(`${c.rule}:`)).toBe(true);
      expect(trace.events.slice(mark).some((e) => e.kind === "sip.refused" && e.rules.includes(c.rule))).toBe(true);
    });

  it("FED-4: the moved-edge refusal names the direct federation rule and says why", async () => {
    const r = await fe().user("carol@contoso.test").sendMessage("lee@litware.test", "x");
    expect(r.diagnostics?.text).toContain("FED-4");
    expect(r.diagnostics?.text).toContain("sip.litware.test");
  });

  it("PIC-2: without clientAuth our edge still federates with a partner that does not demand it (fabrikam)", async () => {
    expect((await fe().user("carol@contoso.test").sendMessage("bob@fabrikam.test", "still fine")).status).toBe(200);
    await partner("fabrikam.test").user("bob@fabrikam.test").inbox.next(5000);
  });

  it("PIC-2: the public IM provider's edge itself refuses a client certificate without clientAuth, and traces why", async () => {
    const mark = trace.events.length;
    const aim = world.plan.byHost("aim-edge1");
    const raw = await RawSip.connect(aim.address, 5061, { identity: world.pki.identity("edge-external"), caPem: world.pki.ca.certPem, localAddress: world.plan.byHost("edge1", "external-access").address, servername: "sip.aim.test" });
    expect(await raw.next(3000)).toBeUndefined();
    expect(raw.closed).toBe(true);
    const refused = trace.events.slice(mark).find((e) => e.kind === "tls.handshake" && e.host === "aim-edge1" && !e.ok);
    expect(refused?.rules).toEqual(["PIC-2"]);
  });
});

describe("inbound: the peer's certificate decides who it may speak for", () => {
  it("CERT-2: a peer with a certificate from an untrusted CA is refused at the TLS layer, traced on our edge", async () => {
    const mark = trace.events.length;
    const r = await partner("northwind.test").user("nancy@northwind.test").sendMessage("carol@contoso.test", "x");
    expect(r.status).toBeGreaterThanOrEqual(500);
    const refused = trace.events.slice(mark).find((e) => e.kind === "tls.handshake" && e.host.startsWith("edge") && !e.ok);
    expect(refused && refused.kind === "tls.handshake" ? refused.error : "").toMatch(/not trusted/);
  });

  it("FED-10: a certificate that does not name the sender domain's SRV target is refused 403 52101", async () => {
    const r = await partner("adatum.test").user("ada@adatum.test").sendMessage("carol@contoso.test", "x");
    expect(r).toMatchObject({ status: 403, diagnostics: { code: 52101 } });
  });

  it("FED-4: a partner whose edge moved to a new name is refused: its certificate no longer names the ProxyFqdn", async () => {
    const r = await partner("moved.test").user("mo@moved.test").sendMessage("carol@contoso.test", "x");
    expect(r).toMatchObject({ status: 403, diagnostics: { code: 52101 } });
    expect(r.diagnostics?.text).toMatch(/^FED-10: /);
  });
});
