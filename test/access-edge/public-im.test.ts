/**
 * PIC-1 on sockets: a public IM provider (AOL, aim.test) is federation configured as a
 * public provider (FED-5). Our users and the provider's exchange IM both ways over real
 * mutual TLS through the Access Edge, behind the hardware load balancer (the default
 * contoso world): the provider dials sip.contoso.test (the Access VIP), our edge dials the
 * provider's ProxyFqdn. A user whose policy lacks EnablePublicCloudAccess is refused (FED-9)
 * in both directions while still federating with an ordinary partner; the provider's
 * own rule stays in force (PIC-2: its edge demands the clientAuth EKU of whoever dials it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { RawSip, rawRequest } from "./raw-sip.ts";
import { captureEvents, SIP_SERVICES } from "./world-helpers.ts";

let world: World;
let trace: ReturnType<typeof captureEvents>;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgePublicIm, "contoso", (t) => {
    // A policy that federates but has no public IM (FED-9), and a user who has it.
    t.organisation.externalAccessPolicies.push({ Identity: "NoPublicIm", EnableFederationAccess: true, EnableXmppAccess: false, EnablePublicCloudAccess: false, EnableOutsideAccess: false });
    t.organisation.users.push({ uri: "frank@contoso.test", policy: "NoPublicIm", contacts: [], homedOnSba: false, remote: false });
    // The provider also serves icq.test behind the same proxy (FED-5: any domain from its proxy).
    const aim = t.partners.find((p) => p.domain === "aim.test")!;
    aim.hostedDomains = ["icq.test"];
    aim.users = [...aim.users, "pal@icq.test"];
    t.federation.publicProviders[0]!.domains.push("icq.test");
  }), { services: [...SIP_SERVICES, "hlb"] });
  trace = captureEvents(world);
}, 60_000);
afterAll(async () => {
  trace?.stop();
  await world?.stop();
});

const fe = () => frontEndOf(world);
const aim = () => sipPartnerOf(world, "aim.test");

describe("PIC-1: IM with a public IM provider's users, both ways, through the Access Edge", () => {
  it("PIC-1: carol (EnablePublicCloudAccess) reaches buddy@aim.test; the route is the provider's ProxyFqdn (FED-5) and our edge dialled it with mutual TLS", async () => {
    const mark = trace.events.length;
    const r = await fe().user("carol@contoso.test").sendMessage("buddy@aim.test", "hello buddy");
    expect(r.status).toBe(200);
    expect(await aim().user("buddy@aim.test").inbox.next(5000)).toMatchObject({ from: "carol@contoso.test", to: "buddy@aim.test", text: "hello buddy" });
    const events = trace.events.slice(mark);
    const verdict = events.find((e) => e.kind === "policy.verdict" && e.allowed);
    expect(verdict && verdict.kind === "policy.verdict" ? verdict.steps.map((s) => s.rule) : []).toEqual(expect.arrayContaining(["FED-5", "FED-9"]));
    // The provider's edge accepted our edge's client certificate (it demands clientAuth, PIC-2).
    const hs = events.find((e) => e.kind === "tls.handshake" && e.host === "aim-edge1" && e.ok);
    expect(hs && hs.kind === "tls.handshake" ? hs.peerNames : []).toContain("sip.contoso.test");
  });

  it("PIC-1: buddy@aim.test reaches carol through the Access VIP, marked verified (FED-7: AlwaysVerifiable provider)", async () => {
    const mark = trace.events.length;
    const r = await aim().user("buddy@aim.test").sendMessage("carol@contoso.test", "hi carol");
    expect(r.status).toBe(200);
    expect(r.via).toMatch(/-> sip\.contoso\.test \(/);
    expect(r.via).toContain(world.plan.byHost("vip-access").address);
    expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ from: "buddy@aim.test", text: "hi carol", verification: "verified" });
    const forwarded = trace.events.slice(mark).find((e) => e.kind === "lb.forward" && e.vip === "vip-access");
    expect(forwarded && forwarded.kind === "lb.forward" ? forwarded.tuple?.dstPort : undefined).toBe(5061);
  });

  it("PIC-1: alice, a remote user signed in through the Access Edge, and buddy exchange IM both ways", async () => {
    expect(fe().isRegistered("alice@contoso.test")).toBe(true);
    expect((await fe().user("alice@contoso.test").sendMessage("buddy@aim.test", "from outside")).status).toBe(200);
    expect(await aim().user("buddy@aim.test").inbox.next(5000)).toMatchObject({ from: "alice@contoso.test", text: "from outside" });
    expect((await aim().user("buddy@aim.test").sendMessage("alice@contoso.test", "back to you")).status).toBe(200);
    expect(await fe().user("alice@contoso.test").inbox.next(5000)).toMatchObject({ from: "buddy@aim.test", text: "back to you" });
  });

  it("PIC-1 + FED-5: a second domain the provider serves (icq.test) is accepted from the provider's proxy and reached through it", async () => {
    expect((await aim().user("pal@icq.test").sendMessage("carol@contoso.test", "from icq")).status).toBe(200);
    expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ from: "pal@icq.test", text: "from icq" });
    expect((await fe().user("carol@contoso.test").sendMessage("pal@icq.test", "to icq")).status).toBe(200);
    expect(await aim().user("pal@icq.test").inbox.next(5000)).toMatchObject({ from: "carol@contoso.test", text: "to icq" });
  });

  it("PIC-1: Messenger users can also have peer-to-peer A/V: carol's INVITE reaches buddy's edge and is answered 200 with a Contact", async () => {
    const raw = await RawSip.connect(world.plan.byHost("vip-internal").address, 5061, { identity: world.pki.identity("frontend"), caPem: world.pki.ca.certPem, localAddress: world.plan.byHost("fe01").address, servername: world.topology.organisation.edgePool.internalFqdn });
    try {
      // An offerless INVITE (RFC 3261 13.2.1): the call's signalling, which is what the edge carries.
      raw.write(rawRequest("INVITE", "carol@contoso.test", "buddy@aim.test"));
      const res = await raw.final(8000);
      expect(res?.status).toBe(200);
      expect(res?.headers.get("contact")).toMatch(/sip:buddy@sip\.aim\.test/);
    } finally {
      raw.close();
    }
  });
});

describe("PIC-1 + FED-9: a user whose policy lacks EnablePublicCloudAccess", () => {
  it("FED-9: frank (policy NoPublicIm) is refused towards buddy with 403 52091, and the trace names the rule", async () => {
    const mark = trace.events.length;
    const r = await fe().user("frank@contoso.test").sendMessage("buddy@aim.test", "x");
    expect(r.status).toBe(403);
    expect(r.diagnostics?.code).toBe(52091);
    expect(r.diagnostics?.text).toMatch(/^FED-9: .*EnablePublicCloudAccess/);
    const refused = trace.events.slice(mark).find((e) => e.kind === "sip.refused" && e.rules.includes("FED-9"));
    expect(refused).toBeDefined();
  });

  it("FED-9: buddy is refused towards frank (inbound) with the same diagnostic", async () => {
    const r = await aim().user("buddy@aim.test").sendMessage("frank@contoso.test", "x");
    expect(r.status).toBe(403);
    expect(r.diagnostics?.code).toBe(52091);
  });

  it("FED-9: the same frank federates with an ordinary partner (fabrikam): only public IM is off", async () => {
    expect((await fe().user("frank@contoso.test").sendMessage("bob@fabrikam.test", "hi bob")).status).toBe(200);
    expect(await sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").inbox.next(5000)).toMatchObject({ from: "frank@contoso.test" });
  });
});

describe("PIC-2: the provider's own rule still applies in this world", () => {
  it("PIC-2: the provider's edge refuses a client certificate without clientAuth dialled from our Access VIP (where our outbound federation leaves from behind the HLB), and traces why", async () => {
    const mark = trace.events.length;
    const aimEdge = world.plan.byHost("aim-edge1");
    // A serverAuth-only certificate of the sandbox CA: the handshake is reset or the connection closed unused.
    const raw = await RawSip.connect(aimEdge.address, 5061, { identity: world.pki.identity("reverse-proxy"), caPem: world.pki.ca.certPem, localAddress: world.plan.byHost("vip-access").address, servername: "sip.aim.test" }).catch((e: NodeJS.ErrnoException) => e);
    if (raw instanceof RawSip) {
      expect(await raw.next(3000)).toBeUndefined();
      expect(raw.closed).toBe(true);
      raw.close();
    } else expect(raw.code).toBe("ECONNRESET");
    await new Promise((r) => setTimeout(r, 50));
    const refused = trace.events.slice(mark).find((e) => e.kind === "tls.handshake" && e.host === "aim-edge1" && !e.ok);
    expect(refused?.rules).toEqual(["PIC-2"]);
  });
});
