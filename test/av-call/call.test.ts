/**
 * The federated A/V call in the default world (zones 164): alice (remote) calls bob at
 * fabrikam through both Access Edges; candidates from both A/V Edges; ICE checks; counted
 * media. One call in beforeAll, each rule read from it; plus a refused call (FED-6).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { callFindings, placeCall, type CallReport } from "../../harness/clients/av-call/index.ts";
import type { RunningAvEdge } from "../../harness/world/av-edge-service.ts";
import type { World } from "../../harness/world/world.ts";
import { EventBus } from "../../harness/events/bus.ts";
import { enableCapture } from "../../harness/trace/capture.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";

/** What a call needs: no web, reverse proxy, conferencing or XMPP services. */
const CALL_SERVICES = ["dns", "av-edge", "frontend", "access-edge", "remote-users", "sip-partners", "hlb"];

const PACKETS = 40;
/** PORT-1: the rows seed 002 needs only for OCS 2007 partners. */
const OCS_ONLY = ["002-ext-node-rtp-udp-out", "002-ext-node-rtp-tcp-in", "002-ext-node-rtp-udp-in"];
let world: World;
let report: CallReport;
let events: EdgeEvent[];
const addr = (host: string, iface?: string) => world.plan.byHost(host, iface).address;

beforeAll(async () => {
  // Capture on: the balancer traces every datagram it carries (lb.forward per leg), so the HLB-3 test can count them.
  const bus = new EventBus();
  enableCapture(bus.emit);
  world = await startTestWorld(topologyAt(ZONE_BASE.avCall), { services: CALL_SERVICES, bus });
  const rec = world.bus.record();
  report = await placeCall(world, "alice@contoso.test", "bob@fabrikam.test", { packets: PACKETS });
  rec.stop();
  events = rec.events;
}, 90_000);
afterAll(async () => world?.stop());

const cand = (side: "caller" | "callee", type: string) => report[side].candidates.find((c) => c.type === type);

describe("gathering from the A/V Edges", () => {
  it("PORT-1: alice's relayed candidate is on an edge's own external A/V address, port in 50000-59999", () => {
    const relay = cand("caller", "relay")!;
    const edges = ["edge1", "edge2"].map((e) => addr(e, "external-av"));
    expect(edges).toContain(relay.address);
    expect(relay.port).toBeGreaterThanOrEqual(50000);
    expect(relay.port).toBeLessThanOrEqual(59999);
  });

  it("HLB-2: with no NAT on the A/V VIP, alice's server-reflexive candidate is her real address and port (her host candidate)", () => {
    const host = cand("caller", "host")!;
    expect(host.address).toBe(addr("client-alice"));
    expect(cand("caller", "srflx")).toMatchObject({ address: host.address, port: host.port });
  });

  it("HLB-3: the relayed candidate is never the A/V VIP", () => {
    expect(cand("caller", "relay")!.address).not.toBe(addr("vip-av"));
  });

  it("PORT-1: bob gathers host, srflx and a relay on fabrikam's A/V Edge (its edge address) in 50000-59999", () => {
    expect(report.callee.candidates.map((c) => c.type)).toEqual(["host", "srflx", "relay"]);
    expect(cand("callee", "relay")!.address).toBe(addr("fabrikam-edge1"));
    expect(cand("callee", "relay")!.port).toBeGreaterThanOrEqual(50000);
  });
});

describe("the call", () => {
  it("FED-3: INVITE answered 200 with an SDP answer through both Access Edges, ACK reached bob's side, BYE answered 200", () => {
    expect(report.invite.status).toBe(200);
    expect(report.invite.response?.headers.get("Content-Type")).toBe("application/sdp");
    expect(report.acked).toBe(true);
    expect(report.byeReceived).toBe(true);
    expect(report.bye?.status).toBe(200);
  });

  it("HLB-3: ICE selects relay-to-relay (the firewalls pass only each side's own edge); every other check failed", () => {
    expect(report.selected?.local.type).toBe("relay");
    expect(report.selected?.remote.type).toBe("relay");
    expect(report.caller.checks.filter((c) => c.ok).map((c) => `${c.pair.local.type}->${c.pair.remote.type}`)).toEqual(["relay->relay"]);
    expect(report.nominatedAtCallee?.to).toEqual({ address: cand("caller", "relay")!.address, port: cand("caller", "relay")!.port });
  });

  it("HLB-3: every packet is received both ways, and bob's media arrives from alice's relay on edge N's physical IP", () => {
    expect(report.caller.mediaSent).toBe(PACKETS);
    expect(report.callee.mediaSent).toBe(PACKETS);
    expect(report.callee.mediaReceived).toBe(PACKETS);
    expect(report.caller.mediaReceived).toBe(PACKETS);
    const relay = cand("caller", "relay")!;
    expect(report.callee.mediaSources).toEqual([`${relay.address}:${relay.port} (relay)`]);
  });

  it("HLB-3: after alice's Allocate nothing of hers crosses the A/V VIP: her TURN requests, Send and Data indications use the physical A/V address of the edge that holds the allocation", () => {
    const alice = addr("client-alice");
    const crossesVip = (e: EdgeEvent) => e.kind === "lb.forward" && e.vip === "vip-av" && e.tuple !== undefined && [e.tuple.srcAddress, e.tuple.dstAddress].includes(alice);
    const allocated = events.findIndex((e) => e.kind === "note" && e.host === "client-alice" && e.rules.includes("HLB-3") && e.detail.startsWith("TURN allocation"));
    expect(allocated).toBeGreaterThan(-1);
    expect(events.slice(0, allocated).filter(crossesVip).length).toBeGreaterThanOrEqual(4); // Binding and Allocate (twice: 401, then signed), both legs
    expect(events.slice(allocated).filter(crossesVip)).toEqual([]);
    const relay = cand("caller", "relay")!;
    const moved = events.find((e) => e.kind === "turn.allocation" && e.rules.includes("HLB-3") && e.reachedAt !== undefined && e.relayed?.port === relay.port);
    expect(moved).toMatchObject({ relayed: { address: relay.address, port: relay.port }, reachedAt: { address: relay.address }, tuple: { srcAddress: alice, dstAddress: relay.address } });
  });

  it("HLB-3: the edge that owns alice's relay counted the relayed media both ways", () => {
    const relay = cand("caller", "relay")!;
    const av = world.service("av-edge") as RunningAvEdge;
    const edge = [...av.edges.values()].find((e) => e.external === relay.address)!;
    expect(edge.server.stats.relayedToPeer).toBeGreaterThanOrEqual(PACKETS);
    expect(edge.server.stats.relayedToClient).toBeGreaterThanOrEqual(PACKETS);
  });

  it("HLB-2: the findings name HLB-2, HLB-3 and PORT-1, say delivered via the physical A/V IP, and have no HLB-6", () => {
    const f = callFindings(report, events, world.plan);
    expect(f.delivered).toBe(true);
    expect(f.rules).toEqual(expect.arrayContaining(["HLB-2", "HLB-3", "PORT-1"]));
    expect(f.rules).not.toContain("HLB-6");
    expect(f.via).toMatch(/^relay on edge[12]'s physical A\/V IP /);
    expect(events.some((e) => e.rules.includes("HLB-6"))).toBe(false);
  });

  it("PORT-1: media with the Lync 2013 partner crosses our external firewall edge to edge on STUN UDP 3478 (out and in), never on a UDP 50000-59999 row", () => {
    const relay = cand("caller", "relay")!;
    const theirs = addr("fabrikam-edge1");
    const media = events.filter((e) => (e.kind === "firewall.pass" || e.kind === "firewall.drop") && e.tuple?.transport === "udp"
      && [e.tuple.srcAddress, e.tuple.dstAddress].includes(theirs) && [e.tuple.srcAddress, e.tuple.dstAddress].includes(relay.address));
    expect(media.map((e) => e.kind)).toContain("firewall.pass");
    expect(media.filter((e) => e.kind === "firewall.drop")).toEqual([]);
    for (const e of media) expect(e.tuple!.dstPort === 3478 || e.tuple!.srcPort === 3478, JSON.stringify(e.tuple)).toBe(true);
    const rules = media.flatMap((e) => ("detail" in e ? [e.detail] : [])).join("\n");
    expect(rules).toMatch(/002-ext-node-stun-udp-(out|in)/);
    expect(rules).not.toMatch(/002-ext-node-rtp-udp/);
    expect(events.some((e) => e.kind === "turn.relay" && e.rules.includes("PORT-1") && e.detail.includes("edge to edge through the peer edge's UDP 3478"))).toBe(true);
  });

  it("PORT-1/PORT-5: with the OCS 2007-only UDP 50000-59999 rows removed (the rule set of a topology with no OCS 2007 partner) the Lync 2013 call still carries all its media", async () => {
    const fw = worldFirewall(world.context);
    try {
      for (const id of OCS_ONLY) fw.removeRule(id);
      const r = await placeCall(world, "alice@contoso.test", "bob@fabrikam.test", { packets: 20 });
      expect(callFindings(r, [], world.plan).delivered).toBe(true);
    } finally {
      fw.reset();
    }
  }, 30_000);

  it("PORT-1: a call with the OCS 2007 partner carries its media raw on UDP 50000-59999 (no edge-to-edge relay), passing the OCS 2007 rows", async () => {
    const rec = world.bus.record(["firewall.pass"]);
    const r = await placeCall(world, "alice@contoso.test", "nancy@northwind.test", { packets: 20 });
    rec.stop();
    expect(callFindings(r, [], world.plan).delivered).toBe(true);
    const theirs = addr("northwind-edge1");
    const media = rec.events.filter((e) => e.tuple?.transport === "udp" && [e.tuple.srcAddress, e.tuple.dstAddress].includes(theirs));
    expect(media.length).toBeGreaterThan(0);
    // Whichever side's check opens the flow first passes by its row (out or in); nothing goes edge to edge on 3478.
    for (const e of media) expect("detail" in e ? e.detail : "").toMatch(/002-ext-node-rtp-udp-(out|in)/);
    for (const e of media) expect([e.tuple!.srcPort, e.tuple!.dstPort]).not.toContain(3478);
  }, 30_000);

  // With a stateful firewall one UDP row is enough when the other side's checks open the flow first (ICE punches
  // the hole), so a call survives the loss of either row alone: the test takes out both RTP/UDP rows.
  it("PORT-5: removing the RTP/UDP 50000-59999 rows breaks only the OCS 2007 call, and the drops name the missing rules; the Lync 2013 call still works", async () => {
    const fw = worldFirewall(world.context);
    try {
      fw.removeRule("002-ext-node-rtp-udp-out");
      fw.removeRule("002-ext-node-rtp-udp-in");
      const rec = world.bus.record(["firewall.drop"]);
      const ocs = await placeCall(world, "alice@contoso.test", "nancy@northwind.test", { packets: 20 });
      rec.stop();
      expect(callFindings(ocs, [], world.plan).delivered).toBe(false);
      const drops = rec.events.filter((e) => e.kind === "firewall.drop" && e.tuple?.transport === "udp" && e.tuple.srcAddress !== addr("client-alice") && e.tuple.dstAddress !== addr("client-alice"));
      expect(drops.length).toBeGreaterThan(0);
      for (const d of drops) expect(d.rules).toContain("PORT-5");
      const details = drops.map((d) => ("detail" in d ? d.detail : "")).join("\n");
      expect(details).toMatch(/002-ext-node-rtp-udp-(out|in)/);
      const lync = await placeCall(world, "alice@contoso.test", "bob@fabrikam.test", { packets: 20 });
      expect(callFindings(lync, [], world.plan).delivered).toBe(true);
    } finally {
      fw.reset();
    }
  }, 60_000);

  it("FED-6: a call to a blocked domain is refused by our edge with ms-diagnostics, and nothing is gathered on the partner's side", async () => {
    const r = await placeCall(world, "alice@contoso.test", "mallory@blocked.test", { packets: 5 });
    expect(r.invite.status).toBe(403);
    expect(r.invite.diagnostics?.text).toContain("FED-6");
    expect(r.callee.candidates).toEqual([]);
    expect(callFindings(r, [], world.plan).delivered).toBe(false);
  }, 30_000);
});
