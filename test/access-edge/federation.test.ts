/**
 * Federation over real mutual TLS through the live Access Edge: every federation
 * mode (FED-2..FED-10) in and out, FED-12 diagnostics, DNS-1 lookups, remote users,
 * and the methods a proxy passes through. World: contoso with DNS load balancing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { accessEdgesOf } from "../../harness/world/access-edge-service.ts";
import { federationConfigFromTopology } from "../../harness/topology/federation-config.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { addSpoofingPartners, captureEvents, dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";
import { RawSip, rawRequest } from "./raw-sip.ts";

let world: World;
let trace: ReturnType<typeof captureEvents>;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeFederation, "contoso", (t) => {
    dnsLoadBalanced(t);
    addSpoofingPartners(t);
    t.organisation.externalAccessPolicies.push({ Identity: "NoOutside", EnableFederationAccess: true, EnableXmppAccess: false, EnablePublicCloudAccess: false, EnableOutsideAccess: false });
    t.organisation.users.push({ uri: "rita@contoso.test", policy: "NoOutside", contacts: [], homedOnSba: false, remote: true });
  }), { services: SIP_SERVICES });
  trace = captureEvents(world);
});
afterAll(async () => {
  trace?.stop();
  await world?.stop();
});

const fe = () => frontEndOf(world);
const partner = (d: string) => sipPartnerOf(world, d);

describe("outbound federation: our user -> partner user, 200 and the partner receives it", () => {
  const cases = [
    { rule: "FED-3", name: "allowed partner domain found by SRV", from: "carol@contoso.test", to: "bob@fabrikam.test" },
    { rule: "FED-2", name: "discovered partner domain (not on the allow list)", from: "carol@contoso.test", to: "nancy@northwind.test" },
    { rule: "FED-4", name: "allowed partner server (ProxyFqdn, no SRV)", from: "carol@contoso.test", to: "lee@litware.test" },
    { rule: "FED-2", name: "a domain hosted at a hosting provider, discovered: its SRV names the provider's proxy (FED-5)", from: "carol@contoso.test", to: "tom@tailspin.test" },
    { rule: "FED-5", name: "public IM provider (clientAuth EKU present, PIC-2)", from: "carol@contoso.test", to: "buddy@aim.test" },
  ];
  for (const c of cases)
    it(`${c.rule}: ${c.name}: ${c.from} -> ${c.to}`, async () => {
      const text = `hello ${c.to} ${Math.random()}`;
      const mark = trace.events.length;
      const r = await fe().user(c.from).sendMessage(c.to, text);
      expect(r, JSON.stringify(r)).toMatchObject({ status: 200 });
      const got = await partner(c.to.split("@")[1]!).user(c.to).inbox.next(5000);
      expect(got).toMatchObject({ from: c.from, to: c.to, text });
      const verdict = trace.events.slice(mark).find((e) => e.kind === "policy.verdict" && e.allowed);
      expect(verdict?.rules).toContain(c.rule);
    });

  it("FED-4: direct federation dials the ProxyFqdn without an SRV lookup of the domain", async () => {
    const mark = trace.events.length;
    expect((await fe().user("carol@contoso.test").sendMessage("lee@litware.test", "direct")).status).toBe(200);
    const queries = trace.events.slice(mark).filter((e) => e.kind === "dns.query").map((e) => (e.kind === "dns.query" ? e.name : ""));
    expect(queries).not.toContain("_sipfederationtls._tcp.litware.test");
    await partner("litware.test").user("lee@litware.test").inbox.next(5000);
  });

  it("DNS-1: the edge resolves _sipfederationtls._tcp.<domain> in the external view and checks the SRV target's name on the certificate (CERT-2)", async () => {
    const mark = trace.events.length;
    expect((await fe().user("carol@contoso.test").sendMessage("ada@adatum.test", "srv")).status).toBe(200);
    await partner("adatum.test").user("ada@adatum.test").inbox.next(5000);
    const after = trace.events.slice(0);
    const srvQuery = after.find((e) => e.kind === "dns.query" && e.name === "_sipfederationtls._tcp.adatum.test");
    expect(srvQuery).toMatchObject({ view: "external", rcode: "NOERROR" });
    const hs = after.find((e) => e.kind === "tls.handshake" && e.ok && e.host.startsWith("edge") && e.peerNames.includes("sip.adatum.test"));
    expect(hs, `events since mark: ${trace.events.length - mark}`).toBeDefined();
  });
});

describe("inbound federation: partner user -> our user", () => {
  it("FED-3 + FED-7: bob (allowed domain) reaches carol, marked verified", async () => {
    const r = await partner("fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "from bob");
    expect(r.status).toBe(200);
    expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ from: "bob@fabrikam.test", text: "from bob", verification: "verified" });
  });

  it("FED-2 + FED-7: nancy (discovered partner) reaches carol, marked unverified", async () => {
    expect((await partner("northwind.test").user("nancy@northwind.test").sendMessage("carol@contoso.test", "from nancy")).status).toBe(200);
    expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ from: "nancy@northwind.test", verification: "unverified" });
  });

  it("FED-5: tom of a hosted domain arrives from the hosting provider's edge and is accepted", async () => {
    expect((await partner("hosted.test").user("tom@tailspin.test").sendMessage("carol@contoso.test", "from tom")).status).toBe(200);
    expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ from: "tom@tailspin.test" });
  });

  it("FED-4: lee arrives from the ProxyFqdn's edge and is accepted", async () => {
    expect((await partner("litware.test").user("lee@litware.test").sendMessage("carol@contoso.test", "from lee")).status).toBe(200);
    expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ from: "lee@litware.test" });
  });
});

describe("FED-12: refusals carry a status, ms-diagnostics naming the rule, and the same reason in the trace", () => {
  const cases = [
    { rule: "FED-6", name: "mallory@blocked.test is refused inbound", send: () => partner("blocked.test").user("mallory@blocked.test").sendMessage("carol@contoso.test", "x"), status: 403, code: 52060 },
    { rule: "FED-6", name: "a blocked domain is refused outbound", send: () => fe().user("carol@contoso.test").sendMessage("mallory@blocked.test", "x"), status: 403, code: 52060 },
    { rule: "FED-9", name: "dave's policy has no EnableFederationAccess (outbound)", send: () => fe().user("dave@contoso.test").sendMessage("bob@fabrikam.test", "x"), status: 403, code: 52090 },
    { rule: "FED-9", name: "dave's policy has no EnableFederationAccess (inbound)", send: () => partner("fabrikam.test").user("bob@fabrikam.test").sendMessage("dave@contoso.test", "x"), status: 403, code: 52090 },
    { rule: "FED-9", name: "an unknown recipient", send: () => partner("fabrikam.test").user("bob@fabrikam.test").sendMessage("nobody@contoso.test", "x"), status: 404, code: 52094 },
    { rule: "FED-10", name: "a partner claiming fabrikam.test from its own edge", send: () => partner("spoof.test").user("eve@spoof.test").sendMessage("carol@contoso.test", "x"), status: 403, code: 52101 },
    { rule: "FED-10", name: "a partner claiming our own contoso.test", send: () => partner("imposter.test").user("ivan@imposter.test").sendMessage("carol@contoso.test", "x"), status: 403, code: 52100 },
    { rule: "FED-9", name: "a remote user whose policy lacks EnableOutsideAccess cannot sign in", send: () => fe().user("rita@contoso.test").sendMessage("carol@contoso.test", "x"), status: 403, code: 52096 },
  ];
  for (const c of cases)
    it(`${c.rule}: ${c.name}: ${c.status} ${c.code}`, async () => {
      const mark = trace.events.length;
      const r = await c.send();
      const diag = "diagnostics" in r ? r.diagnostics : undefined;
      expect(r.status).toBe(c.status);
      expect(diag?.code).toBe(c.code);
      expect(diag?.text.startsWith(`${c.rule}:`)).toBe(true);
      const refused = trace.events.slice(mark).find((e) => e.kind === "sip.refused" && e.rules.includes(c.rule));
      expect(refused, "a sip.refused event naming the rule").toBeDefined();
      expect(refused && refused.kind === "sip.refused" ? refused.status : 0).toBe(c.status);
    });

  it("FED-12: a policy refusal also records the decision path (policy.verdict with every step's rule)", async () => {
    const mark = trace.events.length;
    await partner("blocked.test").user("mallory@blocked.test").sendMessage("carol@contoso.test", "x");
    const v = trace.events.slice(mark).find((e) => e.kind === "policy.verdict");
    expect(v && v.kind === "policy.verdict" ? { allowed: v.allowed, last: v.steps.at(-1)?.rule } : undefined).toEqual({ allowed: false, last: "FED-6" });
  });
});

describe("FED-5 since Lync Server 2010: a hosted domain needs the allowed domains list or discovery", () => {
  const withConfig = async (edit: (t: Topology) => void, body: () => Promise<void>) => {
    const t = structuredClone(world.topology);
    edit(t);
    for (const edge of accessEdgesOf(world).values()) edge.setConfig(federationConfigFromTopology(t));
    try {
      await body();
    } finally {
      for (const edge of accessEdgesOf(world).values()) edge.setConfig(federationConfigFromTopology(world.topology));
    }
  };

  it("FED-5: with discovery off and no allowed-domain entry, tom arriving from the hosting provider's proxy is refused 403 52050, and our IM to him 403", async () => {
    await withConfig((t) => void (t.federation.EnablePartnerDiscovery = false), async () => {
      const inbound = await partner("hosted.test").user("tom@tailspin.test").sendMessage("carol@contoso.test", "hosted, not allowed");
      expect(inbound).toMatchObject({ status: 403, diagnostics: { code: 52050 } });
      expect(inbound.diagnostics?.text).toMatch(/^FED-5: .*tailspin\.test from hosting provider Hosted \(sip\.hosted\.test\)/);
      expect((await fe().user("carol@contoso.test").sendMessage("tom@tailspin.test", "to a stranger")).status).toBe(403);
    });
  });

  it("FED-5 / FED-3: with tailspin.test on the allowed domains list (discovery off), tom is accepted from the provider and reached by SRV", async () => {
    await withConfig((t) => { t.federation.EnablePartnerDiscovery = false; t.federation.allowedDomains.push({ Identity: "tailspin.test", MarkForMonitoring: false }); }, async () => {
      const mark = trace.events.length;
      expect((await partner("hosted.test").user("tom@tailspin.test").sendMessage("carol@contoso.test", "hosted and allowed")).status).toBe(200);
      expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ from: "tom@tailspin.test", verification: "verified" });
      const verdict = trace.events.slice(mark).find((e) => e.kind === "policy.verdict" && e.allowed);
      expect(verdict?.rules).toEqual(expect.arrayContaining(["FED-5", "FED-3"]));
      expect((await fe().user("carol@contoso.test").sendMessage("tom@tailspin.test", "back to tom")).status).toBe(200);
      expect(await partner("hosted.test").user("tom@tailspin.test").inbox.next(5000)).toMatchObject({ text: "back to tom" });
      // wingtip.test, hosted at the same provider but not on the list, is still a stranger.
      expect((await partner("hosted.test").user("wendy@wingtip.test").sendMessage("carol@contoso.test", "me too?")).status).toBe(403);
    });
  });
});

describe("remote users sign in through the Access Edge (TLS 443) and register at the front end", () => {
  it("FED-9: alice (remote, EnableOutsideAccess) is signed in and reaches bob; bob's answer reaches her over the edge", async () => {
    expect(fe().isRegistered("alice@contoso.test")).toBe(true);
    expect((await fe().user("alice@contoso.test").sendMessage("bob@fabrikam.test", "remote hi")).status).toBe(200);
    expect(await partner("fabrikam.test").user("bob@fabrikam.test").inbox.next(5000)).toMatchObject({ from: "alice@contoso.test", text: "remote hi" });
    expect((await partner("fabrikam.test").user("bob@fabrikam.test").sendMessage("alice@contoso.test", "back")).status).toBe(200);
    expect(await fe().user("alice@contoso.test").inbox.next(5000)).toMatchObject({ from: "bob@fabrikam.test", text: "back" });
  });
});

describe("RFC 3261 16: the edge passes every method through and routes responses back along the Via path", () => {
  let raw: RawSip;
  beforeAll(async () => {
    const edge1 = world.plan.byHost("edge1", "internal");
    raw = await RawSip.connect(edge1.address, 5061, { identity: world.pki.identity("frontend"), caPem: world.pki.ca.certPem, localAddress: world.plan.byHost("fe01").address });
  });
  afterAll(() => raw?.close());

  for (const method of ["OPTIONS", "INVITE", "BYE", "CANCEL", "SUBSCRIBE", "NOTIFY", "INFO", "MESSAGE"])
    it(`FED-3: ${method} from carol to bob is forwarded and answered 200 by bob's edge, with our Via removed`, async () => {
      raw.write(rawRequest(method, "carol@contoso.test", "bob@fabrikam.test", { body: method === "MESSAGE" ? "m" : "" }));
      const res = await raw.final(8000);
      expect(res?.status).toBe(200);
      expect(res?.vias().map((v) => v.host)).toEqual(["fe01.contoso.test"]);
      if (method === "MESSAGE") await partner("fabrikam.test").user("bob@fabrikam.test").inbox.next(5000);
    });

  it("FED-3: an ACK is forwarded without any response (RFC 3261 17.1.1.3)", async () => {
    raw.write(rawRequest("ACK", "carol@contoso.test", "bob@fabrikam.test"));
    raw.write(rawRequest("OPTIONS", "carol@contoso.test", "bob@fabrikam.test"));
    const res = await raw.final(8000);
    expect(res?.cseq()?.method).toBe("OPTIONS");
  });
});

describe("the front end's gateway API", () => {
  it("FED-9: fe.deliver hands IM from a non-SIP sender to a homed user and, through the edge, to a remote user", async () => {
    expect((await fe().deliver("romeo@jabber.test", "carol@contoso.test", "from xmpp")).status).toBe(200);
    expect(await fe().user("carol@contoso.test").inbox.next(2000)).toMatchObject({ from: "romeo@jabber.test", text: "from xmpp" });
    expect((await fe().deliver("romeo@jabber.test", "alice@contoso.test", "to remote")).status).toBe(200);
    expect(await fe().user("alice@contoso.test").inbox.next(5000)).toMatchObject({ from: "romeo@jabber.test", text: "to remote" });
    expect((await fe().deliver("romeo@jabber.test", "bob@fabrikam.test", "not ours")).status).toBe(404);
  });
});
