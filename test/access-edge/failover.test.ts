/**
 * DNS-1 / DNS-5 over real sockets, each on the side it belongs to.
 * DNS-1: our Lync 2013 edge, dialling out, tries a partner's SRV targets in RFC 2782
 * order until one answers, whatever the partner's product (northwind runs OCS 2007);
 * the 504 comes only when none answers, and names every target tried.
 * DNS-5: a partner connecting to OUR pool: OCS 2007 / 2007 R2 establish with the first
 * of our edges that answers and do not fail over when it stops (DNS load balancing);
 * behind our hardware load balancer they reconnect through the VIP.
 * Partner SRV records are given priorities so "first" is deterministic.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { accessEdgesOf } from "../../harness/world/access-edge-service.ts";
import type { RunningHlb } from "../../harness/world/hlb-service.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import type { ConnectionPool } from "../../edge/roles/access-edge/index.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { captureEvents, dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";

/** Until none of these partner pools holds an open connection to our pool's FQDN (bounded). */
async function closedSeen(pools: ConnectionPool[]): Promise<void> {
  for (const until = Date.now() + 5000; pools.some((p) => p.peek("sip.contoso.test", 5061)) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
}

const ordered = (t: Topology) => {
  for (const p of t.partners.filter((x) => x.domain === "fabrikam.test" || x.domain === "northwind.test"))
    p.srv = p.edges.map((e, i) => ({ target: e.fqdn, port: 5061, priority: i * 10, weight: 100 }));
};

describe("our pool on DNS load balancing", () => {
  let world: World;
  let trace: ReturnType<typeof captureEvents>;
  beforeAll(async () => {
    world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeFailover, "contoso", (t) => {
      dnsLoadBalanced(t);
      ordered(t);
      // ghost.test's SRV lists first a target that has no A record, then its real edge.
      t.partners.push({ domain: "ghost.test", product: "lync2013", edges: [{ name: "edge1", fqdn: "sip1.ghost.test" }], srv: [{ target: "gone.ghost.test", port: 5061, priority: 0, weight: 100 }, { target: "sip1.ghost.test", port: 5061, priority: 10, weight: 100 }], loadBalancing: "dns", users: ["gina@ghost.test"], hostedDomains: [], publishSrv: true, certificate: { omitClientAuth: false, wrongSan: false, expired: false, untrustedCa: false } });
    }), { services: SIP_SERVICES });
    trace = captureEvents(world);
  });
  afterAll(async () => {
    trace?.stop();
    await world?.stop();
  });

  const fe = () => frontEndOf(world);
  const partner = (d: string) => sipPartnerOf(world, d);
  const ourHandshakesSince = (mark: number) => trace.events.slice(mark).filter((e) => e.kind === "tls.handshake" && e.host.startsWith("edge"));
  const reached = (mark: number, name: string) => ourHandshakesSince(mark).some((e) => e.kind === "tls.handshake" && e.ok && e.peerNames.includes(name));
  const failedTo = (mark: number, name: string) => ourHandshakesSince(mark).some((e) => e.kind === "tls.handshake" && !e.ok && (e.error ?? "").includes(name));

  describe("outbound: our edge dials the partner's targets in RFC 2782 order (DNS-1)", () => {
    it("DNS-1: the lowest SRV priority is tried first (fabrikam sip1, priority 0)", async () => {
      const mark = trace.events.length;
      expect((await fe().user("carol@contoso.test").sendMessage("bob@fabrikam.test", "p0")).status).toBe(200);
      expect(reached(mark, "sip1.fabrikam.test")).toBe(true);
      await partner("fabrikam.test").user("bob@fabrikam.test").inbox.next(5000);
    });

    it("DNS-1: stop fabrikam edge1 and alice still reaches bob via edge2", async () => {
      await partner("fabrikam.test").edge("edge1").stop();
      try {
        const mark = trace.events.length;
        const r = await fe().user("alice@contoso.test").sendMessage("bob@fabrikam.test", "via edge2");
        expect(r, JSON.stringify(r)).toMatchObject({ status: 200 });
        expect(await partner("fabrikam.test").user("bob@fabrikam.test").inbox.next(5000)).toMatchObject({ text: "via edge2" });
        expect(failedTo(mark, "sip1.fabrikam.test")).toBe(true);
        expect(reached(mark, "sip2.fabrikam.test")).toBe(true);
      } finally {
        await partner("fabrikam.test").edge("edge1").start();
      }
    });

    it("DNS-1: a stopped partner edge can be started again and serves at once", async () => {
      expect(partner("fabrikam.test").edge("edge1").running).toBe(true);
      expect((await partner("fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "edge1 is back")).status).toBe(200);
      expect(await fe().user("carol@contoso.test").inbox.next(5000)).toMatchObject({ text: "edge1 is back" });
    });

    it("DNS-1: with northwind's (OCS 2007) first edge stopped, alice's message is delivered via its second: the partner's product does not change OUR failover", async () => {
      await partner("northwind.test").edge("edge1").stop();
      try {
        const mark = trace.events.length;
        const r = await fe().user("alice@contoso.test").sendMessage("nancy@northwind.test", "via your second edge");
        expect(r, JSON.stringify(r)).toMatchObject({ status: 200 });
        expect(await partner("northwind.test").user("nancy@northwind.test").inbox.next(5000)).toMatchObject({ text: "via your second edge" });
        expect(failedTo(mark, "sip1.northwind.test")).toBe(true);
        expect(reached(mark, "sip2.northwind.test")).toBe(true);
      } finally {
        await partner("northwind.test").edge("edge1").start();
      }
    });

    it("DNS-1: with every northwind edge stopped, the 504 names each target tried, in RFC 2782 order", async () => {
      const nw = partner("northwind.test");
      await nw.edge("edge1").stop();
      await nw.edge("edge2").stop();
      try {
        const r = await fe().user("carol@contoso.test").sendMessage("nancy@northwind.test", "nobody home");
        expect(r.status).toBe(504);
        expect(r.diagnostics?.code).toBe(54013);
        const text = r.diagnostics?.text ?? "";
        expect(text).toMatch(/^DNS-1: No edge of the target domain answered: tried 2 targets in RFC 2782 order: /);
        expect(text.indexOf("sip1.northwind.test")).toBeGreaterThan(0);
        expect(text.indexOf("sip2.northwind.test")).toBeGreaterThan(text.indexOf("sip1.northwind.test"));
        expect(text).not.toContain("DNS-5");
      } finally {
        await nw.edge("edge1").start();
        await nw.edge("edge2").start();
      }
    });

    it("DNS-1: a target without an A record is passed over for the next; with the next stopped too, the 504 names both and why", async () => {
      const ghost = partner("ghost.test");
      const r = await fe().user("carol@contoso.test").sendMessage("gina@ghost.test", "past the gone one");
      expect(r, JSON.stringify(r)).toMatchObject({ status: 200 });
      expect(await ghost.user("gina@ghost.test").inbox.next(5000)).toMatchObject({ text: "past the gone one" });
      await ghost.edge("edge1").stop();
      try {
        const down = await fe().user("carol@contoso.test").sendMessage("gina@ghost.test", "nobody");
        expect(down.status).toBe(504);
        // Different failures (no A record, refused): "no edge answered", each target with its own reason.
        expect(down.diagnostics?.code).toBe(54013);
        expect(down.diagnostics?.text).toMatch(/tried 2 targets in RFC 2782 order: gone\.ghost\.test: no A record \(\w+\); dialling sip1\.ghost\.test \([\d.]+:5061\) failed: /);
      } finally {
        await ghost.edge("edge1").start();
      }
    });
  });

  // Last in this world: our Access Edge cannot be started again once stopped.
  describe("inbound: partners connecting to our DNS-load-balanced pool (DNS-5)", () => {
    it("DNS-5: OCS 2007 establishes with the first of our edges that answers and, that edge stopped, does not fail over; Lync 2013 does; an OCS 2007 R2 newcomer establishes with the edge that answers now", async () => {
      // What the partners see: the internet's view of our pool, asked from northwind's edge.
      const addresses = await world.context.resolverFor("external", world.plan.byHost("northwind-edge1").address).resolveA("sip.contoso.test");
      expect(addresses.length).toBe(2);
      const nw = partner("northwind.test");
      const nwPool = nw.edge("edge1").pool;

      expect((await nw.user("nancy@northwind.test").sendMessage("carol@contoso.test", "hello")).status).toBe(200);
      expect(nw.dialler.establishedWith(nwPool, "contoso.test")).toMatchObject({ target: "sip.contoso.test", address: addresses[0] });
      expect((await partner("fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "hello")).status).toBe(200);

      const first = [...accessEdgesOf(world).entries()].find(([host]) => world.plan.byHost(host, "external-access").address === addresses[0]);
      expect(first).toBeDefined();
      await first![1].stop();
      // The partners learn of the closed connections asynchronously (TLS close): a message sent before would meet a closing socket.
      await closedSeen([nwPool, partner("fabrikam.test").edge("edge1").pool]);

      const mark = trace.events.length;
      const ocs = await nw.user("nancy@northwind.test").sendMessage("carol@contoso.test", "no failover in");
      expect(ocs.status).toBe(504);
      expect(ocs.reason).toContain(`DNS-5: ocs2007 established with sip.contoso.test at ${addresses[0]}, the first edge that answered, and does not fail over`);
      // FED-12 on the partner's side: the trace says it too, with the rule.
      expect(trace.events.slice(mark).some((e) => e.kind === "sip.refused" && e.host === "northwind-edge1" && e.rules.includes("DNS-5"))).toBe(true);
      // It really did not try our other edge: no connection from northwind reached it.
      expect(trace.events.slice(mark).some((e) => e.kind === "tls.handshake" && e.ok && e.host.startsWith("edge") && e.peerNames.some((n) => n.endsWith("northwind.test")))).toBe(false);

      const lync = await partner("fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "failover in");
      expect(lync, JSON.stringify(lync)).toMatchObject({ status: 200 });
      expect(lync.via).toContain(addresses[1]);

      const adatum = partner("adatum.test");
      const r = await adatum.user("ada@adatum.test").sendMessage("carol@contoso.test", "first contact");
      expect(r, JSON.stringify(r)).toMatchObject({ status: 200 });
      expect(adatum.dialler.establishedWith(adatum.edge("edge1").pool, "contoso.test")).toMatchObject({ address: addresses[1] });
      const texts = fe().user("carol@contoso.test").inbox.received.map((m) => m.text);
      expect(texts).toEqual(expect.arrayContaining(["failover in", "first contact"]));
      expect(texts).not.toContain("no failover in");
    });
  });
});

describe("our pool behind a hardware load balancer", () => {
  let world: World;
  let trace: ReturnType<typeof captureEvents>;
  beforeAll(async () => {
    world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeFailover, "contoso", ordered), { services: [...SIP_SERVICES, "hlb"] });
    trace = captureEvents(world);
  });
  afterAll(async () => {
    trace?.stop();
    await world?.stop();
  });

  it("DNS-5: OCS 2007 establishes with the Access VIP; the edge behind it stops, and its next message reconnects through the VIP to the other edge", async () => {
    const vip = world.plan.byHost("vip-access").address;
    const nw = sipPartnerOf(world, "northwind.test");
    const pool = nw.edge("edge1").pool;
    let mark = trace.events.length;
    expect((await nw.user("nancy@northwind.test").sendMessage("carol@contoso.test", "hello")).status).toBe(200);
    expect(nw.dialler.establishedWith(pool, "contoso.test")).toMatchObject({ address: vip });
    const servedBy = (since: number) => trace.events.slice(since).find((e) => e.kind === "sip.request" && e.from === "nancy@northwind.test" && /^edge\d$/.test(e.host))?.host;
    const firstEdge = servedBy(mark);
    expect(firstEdge).toMatch(/^edge\d$/);

    await accessEdgesOf(world).get(firstEdge!)!.stop();
    const balancer = (world.context.running.get("hlb") as RunningHlb).vips.get("vip-access:5061")!;
    for (const until = Date.now() + 30_000; balancer.pool.isUp(firstEdge!) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 200));
    expect(balancer.pool.isUp(firstEdge!)).toBe(false);
    await closedSeen([pool]);

    mark = trace.events.length;
    const r = await nw.user("nancy@northwind.test").sendMessage("carol@contoso.test", "through the VIP");
    expect(r, JSON.stringify(r)).toMatchObject({ status: 200 });
    expect(nw.dialler.establishedWith(pool, "contoso.test")).toMatchObject({ address: vip });
    const secondEdge = servedBy(mark);
    expect(secondEdge).toMatch(/^edge\d$/);
    expect(secondEdge).not.toBe(firstEdge);
    expect(frontEndOf(world).user("carol@contoso.test").inbox.received.map((m) => m.text)).toContain("through the VIP");
  });
});
