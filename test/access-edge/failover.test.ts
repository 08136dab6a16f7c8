/**
 * DNS-1 / DNS-5 over real sockets: SRV priority order, Lync partners failing over to
 * the next DNS-load-balanced edge, OCS 2007 partners not failing over, in both
 * directions. Partner SRV records are given priorities so "first" is deterministic.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { accessEdgesOf } from "../../harness/world/access-edge-service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { captureEvents, dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";

let world: World;
let trace: ReturnType<typeof captureEvents>;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeFailover, "contoso", (t) => {
    dnsLoadBalanced(t);
    for (const p of t.partners.filter((x) => x.domain === "fabrikam.test" || x.domain === "northwind.test"))
      p.srv = p.edges.map((e, i) => ({ target: e.fqdn, port: 5061, priority: i * 10, weight: 100 }));
  }), { services: SIP_SERVICES });
  trace = captureEvents(world);
});
afterAll(async () => {
  trace?.stop();
  await world?.stop();
});

const fe = () => frontEndOf(world);
const partner = (d: string) => sipPartnerOf(world, d);
const handshakesSince = (mark: number) => trace.events.slice(mark).filter((e) => e.kind === "tls.handshake" && e.host.startsWith("edge"));

describe("outbound: our edge and the partner's DNS-load-balanced pool", () => {
  it("DNS-1: the lowest SRV priority is tried first (fabrikam sip1, priority 0)", async () => {
    const mark = trace.events.length;
    expect((await fe().user("carol@contoso.test").sendMessage("bob@fabrikam.test", "p0")).status).toBe(200);
    const ok = handshakesSince(mark).find((e) => e.kind === "tls.handshake" && e.ok && e.peerNames.some((n) => n.endsWith("fabrikam.test")));
    expect(ok && ok.kind === "tls.handshake" ? ok.peerNames : []).toContain("sip1.fabrikam.test");
    await partner("fabrikam.test").user("bob@fabrikam.test").inbox.next(5000);
  });

  it("DNS-5: stop fabrikam edge1 and alice still reaches bob via edge2 (Lync 2013 fails over)", async () => {
    await partner("fabrikam.test").edge("edge1").stop();
    try {
      const mark = trace.events.length;
      const r = await fe().user("alice@contoso.test").sendMessage("bob@fabrikam.test", "via edge2");
      expect(r, JSON.stringify(r)).toMatchObject({ status: 200 });
      expect(await partner("fabrikam.test").user("bob@fabrikam.test").inbox.next(5000)).toMatchObject({ text: "via edge2" });
      const hs = handshakesSince(mark);
      expect(hs.some((e) => e.kind === "tls.handshake" && !e.ok && e.error?.includes("sip1.fabrikam.test"))).toBe(true);
      expect(hs.some((e) => e.kind === "tls.handshake" && e.ok && e.peerNames.includes("sip2.fabrikam.test"))).toBe(true);
    } finally {
      await partner("fabrikam.test").edge("edge1").start();
    }
  });

  it("DNS-5: a stopped partner edge can be started again and serves at once", async () => {
    expect(partner("fabrikam.test").edge("edge1").running).toBe(true);
    expect((await partner("fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "edge1 is back")).status).toBe(200);
    expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ text: "edge1 is back" });
  });

  it("DNS-5: northwind (OCS 2007) does not fail over: its first edge down means 504 naming DNS-5, and its second edge is never tried", async () => {
    await partner("northwind.test").edge("edge1").stop();
    try {
      const mark = trace.events.length;
      const r = await fe().user("carol@contoso.test").sendMessage("nancy@northwind.test", "no failover");
      expect(r.status).toBe(504);
      expect(r.diagnostics?.code).toBe(54051);
      expect(r.diagnostics?.text).toMatch(/^DNS-5: /);
      expect(handshakesSince(mark).some((e) => e.kind === "tls.handshake" && (e.peerNames.includes("sip2.northwind.test") || (e.error ?? "").includes("sip2.northwind.test")))).toBe(false);
    } finally {
      await partner("northwind.test").edge("edge1").start();
    }
  });
});

describe("inbound: partners reaching our DNS-load-balanced edge pool with one edge down", () => {
  it("DNS-5: with our first-listed edge down, fabrikam (Lync 2013) fails over to our other edge and northwind (OCS 2007) does not", async () => {
    // What fabrikam's edge sees: the internet's view, asked from its own address.
    const addresses = await world.context.resolverFor("external", world.plan.byHost("fabrikam-edge1").address).resolveA("sip.contoso.test");
    expect(addresses.length).toBe(2);
    const first = [...accessEdgesOf(world).entries()].find(([host]) => world.plan.byHost(host, "external-access").address === addresses[0]);
    expect(first).toBeDefined();
    await first![1].stop();
    const lync = await partner("fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "failover in");
    expect(lync, JSON.stringify(lync)).toMatchObject({ status: 200 });
    expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ text: "failover in" });
    const ocs = await partner("northwind.test").user("nancy@northwind.test").sendMessage("carol@contoso.test", "no failover in");
    expect(ocs.status).toBe(504);
    expect(ocs.reason).toContain("DNS-5");
  });
});
