/**
 * PORT-5 for XMPP federation (issue 6, item 1): every XMPP connection between
 * zones passes the world's firewalls by its seed 002 row, from the address the
 * seed names, and without that row is dropped with a user-visible outcome naming
 * the missing rule:
 *   partner (internet) -> Access VIP 5269        002-ext-vip-xmpp-in   (PORT-2, XMPP-1)
 *   Access VIP -> partner 5269 (edges dial from it) 002-ext-vip-xmpp-out  (PORT-2, XMPP-1)
 *   front end -> edge internal interfaces 23456  002-int-node-xmpp-23456 (PORT-3, XMPP-1)
 * One world (load balancer, edgesim's own partner server jabber.test), rules and
 * streams reset after each case: an established stream outlives a removed rule,
 * as on a stateful firewall, so each case starts new connections.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import { XmppGateway, XmppGatewayStartError } from "../../harness/org/xmpp-gateway/gateway.ts";
import { InternalUsers } from "../../harness/org/xmpp-gateway/internal-side.ts";
import { federationConfigFromTopology } from "../../harness/topology/federation-config.ts";
import { PORTS } from "../../harness/world/ports.ts";
import type { XmppGatewayService } from "../../harness/world/xmpp-gateway-service.ts";
import { C2S_PORT, PARTNER_PASSWORD, type XmppPartnersService } from "../../harness/world/xmpp-partners-service.ts";
import type { XmppProxyService } from "../../harness/world/xmpp-proxy-service.ts";
import type { World } from "../../harness/world/world.ts";
import { XmppUser } from "../../partners/xmpp/xmpp-user.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { tcpOutcome } from "./role-probe.ts";

type FirewallEvent = Extract<EdgeEvent, { kind: "firewall.drop" | "firewall.pass" }>;

let world: World;
let romeo: XmppUser;
let gw: XmppGatewayService;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.firewallXmpp), { services: ["dns", "hlb", "xmpp-proxy", "xmpp-gateway", "xmpp-partners"] });
  gw = world.service("xmpp-gateway") as XmppGatewayService;
  romeo = new XmppUser({ address: addr("jabber-xmpp1"), port: C2S_PORT, domain: "jabber.test", username: "romeo", password: PARTNER_PASSWORD, caFile: world.pki.caFile });
  await romeo.start();
}, 90_000);

afterEach(() => {
  worldFirewall(world?.context).reset();
  resetStreams();
});

afterAll(async () => {
  await romeo?.stop();
  await world?.stop();
});

const addr = (host: string, iface?: string) => world.plan.byHost(host, iface).address;
const alice = () => gw.users.user("alice@contoso.test");

/** Closes every s2s stream on both sides, so the next stanza dials afresh through the firewalls. */
function resetStreams(): void {
  if (!world) return;
  for (const p of (world.service("xmpp-proxy") as XmppProxyService).proxies) p.node.resetStreams();
  for (const p of (world.service("xmpp-partners") as XmppPartnersService).partners) p.mini?.s2s.resetStreams();
}

function firewallEvents(events: EdgeEvent[], kind: FirewallEvent["kind"], dstPort: number): FirewallEvent[] {
  return events.filter((e): e is FirewallEvent => e.kind === kind && e.tuple?.dstPort === dstPort);
}

function expectDropNamed(drops: FirewallEvent[], rule: string): void {
  expect(drops.length, "one firewall.drop at least").toBeGreaterThan(0);
  for (const d of drops) {
    expect(d.rules).toContain("PORT-5");
    expect(d.detail).toContain(`missing rule ${rule}`);
  }
}

describe("PORT-5: XMPP from a partner to the Access VIP (002-ext-vip-xmpp-in)", () => {
  it("PORT-5: an XMPP partner's s2s connection to the Access VIP passes by 002-ext-vip-xmpp-in and romeo's IM reaches alice", async () => {
    const rec = world.bus.record(["firewall.pass", "firewall.drop"]);
    romeo.message("alice@contoso.test", "in through the VIP", { id: "in-pass" });
    await expect.poll(() => alice().received.find((m) => m.body === "in through the VIP"), { timeout: 15_000 }).toBeDefined();
    rec.stop();
    const passes = firewallEvents(rec.events, "firewall.pass", PORTS.xmppS2s).filter((e) => e.detail.includes("by rule 002-ext-vip-xmpp-in"));
    expect(passes.length, "the partner's connection passed by the rule").toBeGreaterThan(0);
    expect(passes.some((e) => e.tuple?.srcAddress === addr("jabber-xmpp1") && e.tuple?.dstAddress === addr("vip-access"))).toBe(true);
    expect(firewallEvents(rec.events, "firewall.drop", PORTS.xmppS2s)).toEqual([]);
  }, 30_000);

  it("PORT-5: without 002-ext-vip-xmpp-in the partner's connection is dropped, the drop names the rule and romeo's IM bounces naming it", async () => {
    worldFirewall(world.context).removeRule("002-ext-vip-xmpp-in");
    const rec = world.bus.record(["firewall.drop"]);
    romeo.message("alice@contoso.test", "dropped at the external firewall", { id: "in-drop" });
    const err = await romeo.waitFor((s) => s.attrs.id === "in-drop" && s.attrs.type === "error", 15_000);
    rec.stop();
    expect(err, "romeo got an error for his IM").toBeDefined();
    expect(err?.errorCondition).toBe("remote-server-timeout");
    expect(err?.errorText).toContain("PORT-5");
    expect(err?.errorText).toContain("missing rule 002-ext-vip-xmpp-in");
    expect(alice().received.find((m) => m.body === "dropped at the external firewall")).toBeUndefined();
    const drops = firewallEvents(rec.events, "firewall.drop", PORTS.xmppS2s);
    expectDropNamed(drops, "002-ext-vip-xmpp-in");
    expect(drops.every((d) => d.tuple?.srcAddress === addr("jabber-xmpp1") && d.tuple?.dstAddress === addr("vip-access"))).toBe(true);
  }, 30_000);

  it("PORT-5: a peer that bypasses the Access VIP is reset by the edge's own 5269 listener (seed 002 opens only the VIP)", async () => {
    const rec = world.bus.record(["firewall.drop"]);
    expect(await tcpOutcome(addr("jabber-xmpp1"), { address: addr("edge1", "external-access"), port: PORTS.xmppS2s })).toBe("refused");
    rec.stop();
    const drops = firewallEvents(rec.events, "firewall.drop", PORTS.xmppS2s);
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0]!.rules).toContain("PORT-5");
    expect(drops[0]!.host).toBe("edge1");
  });
});

describe("PORT-5: XMPP from our edges to a partner (002-ext-vip-xmpp-out)", () => {
  it("PORT-5: the XMPP proxy's dial to a partner leaves from the Access VIP, passes by 002-ext-vip-xmpp-out, and alice's IM reaches romeo", async () => {
    const rec = world.bus.record(["firewall.pass", "firewall.drop"]);
    expect(gw.gateway.sendIm("sip:alice@contoso.test", "romeo@jabber.test", "out from the VIP")).toMatchObject({ ok: true });
    expect(await romeo.waitFor((s) => s.name === "message" && s.body === "out from the VIP", 15_000)).toBeDefined();
    rec.stop();
    const passes = firewallEvents(rec.events, "firewall.pass", PORTS.xmppS2s).filter((e) => e.detail.includes("by rule 002-ext-vip-xmpp-out"));
    expect(passes.length, "the proxy's dial passed by the rule").toBeGreaterThan(0);
    for (const p of passes) {
      expect(p.tuple?.srcAddress, "seed 002 names the Access VIP as the source").toBe(addr("vip-access"));
      expect(p.tuple?.dstAddress).toBe(addr("jabber-xmpp1"));
    }
    expect(firewallEvents(rec.events, "firewall.drop", PORTS.xmppS2s)).toEqual([]);
  }, 30_000);

  it("PORT-5: without 002-ext-vip-xmpp-out the proxy's dial is dropped and alice's IM bounces back to her naming the rule", async () => {
    worldFirewall(world.context).removeRule("002-ext-vip-xmpp-out");
    const before = alice().errors.length;
    const rec = world.bus.record(["firewall.drop", "xmpp.refused"]);
    expect(gw.gateway.sendIm("sip:alice@contoso.test", "romeo@jabber.test", "dropped on the way out")).toMatchObject({ ok: true });
    await expect.poll(() => alice().errors.length, { timeout: 15_000 }).toBeGreaterThan(before);
    rec.stop();
    const bounce = alice().errors.at(-1)!;
    expect(bounce.from).toContain("romeo@jabber.test");
    expect(bounce.condition).toBe("remote-server-timeout");
    expect(bounce.text).toContain("PORT-5");
    expect(bounce.text).toContain("missing rule 002-ext-vip-xmpp-out");
    expect(romeo.received.find((s) => s.body === "dropped on the way out")).toBeUndefined();
    const drops = firewallEvents(rec.events, "firewall.drop", PORTS.xmppS2s);
    expectDropNamed(drops, "002-ext-vip-xmpp-out");
    expect(drops.every((d) => d.tuple?.srcAddress === addr("vip-access"))).toBe(true);
    expect(rec.events.some((e) => e.kind === "xmpp.refused" && e.rules.includes("PORT-5") && e.detail.includes("002-ext-vip-xmpp-out"))).toBe(true);
  }, 30_000);
});

describe("PORT-5: the XMPP gateway's link to the edges (002-int-node-xmpp-23456)", () => {
  /** A second gateway on the front end, as the world's service builds it: it dials every edge's 23456 now, through the firewalls. */
  function frontEndGateway(): { gateway: XmppGateway; users: InternalUsers } {
    const org = world.topology.organisation;
    const fe = org.frontEndPool.servers[0]!;
    const users = new InternalUsers();
    const gateway = new XmppGateway({
      host: fe,
      poolFqdn: org.frontEndPool.fqdn,
      identity: world.pki.identity("frontend"),
      edges: org.edgePool.servers.map((edge) => ({ address: addr(edge, "internal"), port: world.context.mapPort(PORTS.xmppGateway), fqdn: world.plan.byHost(edge, "internal").fqdn ?? edge })),
      localAddress: addr(fe),
      gate: worldFirewall(world.context).gate,
      config: federationConfigFromTopology(world.topology),
      events: world.context.events,
      side: users,
    });
    return { gateway, users };
  }

  it("PORT-5: the gateway's link from the front end to each edge's internal 23456 passes by 002-int-node-xmpp-23456 and carries alice's IM", async () => {
    const rec = world.bus.record(["firewall.pass", "firewall.drop"]);
    const { gateway } = frontEndGateway();
    try {
      await gateway.start();
      rec.stop();
      const passes = firewallEvents(rec.events, "firewall.pass", PORTS.xmppGateway).filter((e) => e.detail.includes("by rule 002-int-node-xmpp-23456"));
      const edges = world.topology.organisation.edgePool.servers.map((e) => addr(e, "internal"));
      for (const edge of edges) expect(passes.some((p) => p.tuple?.srcAddress === addr(world.topology.organisation.frontEndPool.servers[0]!) && p.tuple?.dstAddress === edge), `link to ${edge}`).toBe(true);
      expect(firewallEvents(rec.events, "firewall.drop", PORTS.xmppGateway)).toEqual([]);
      expect(gateway.sendIm("sip:alice@contoso.test", "romeo@jabber.test", "over the second gateway")).toMatchObject({ ok: true });
      expect(await romeo.waitFor((s) => s.name === "message" && s.body === "over the second gateway", 15_000)).toBeDefined();
    } finally {
      rec.stop();
      gateway.stop();
    }
  }, 30_000);

  it("PORT-5: without 002-int-node-xmpp-23456 the gateway's links are dropped: it cannot start, and alice's IM is refused naming the rule", async () => {
    worldFirewall(world.context).removeRule("002-int-node-xmpp-23456");
    const rec = world.bus.record(["firewall.drop"]);
    const { gateway } = frontEndGateway();
    try {
      const started = await gateway.start(1500).then(() => undefined, (e: unknown) => e);
      expect(started).toBeInstanceOf(XmppGatewayStartError);
      expect((started as Error).message).toContain("missing rule 002-int-node-xmpp-23456");
      const refused = gateway.sendIm("sip:alice@contoso.test", "romeo@jabber.test", "no link");
      expect(refused).toMatchObject({ ok: false, rule: "XMPP-1" });
      expect(refused.ok === false && refused.reason).toContain("PORT-5");
      expect(refused.ok === false && refused.reason).toContain("missing rule 002-int-node-xmpp-23456");
      expectDropNamed(firewallEvents(rec.events, "firewall.drop", PORTS.xmppGateway), "002-int-node-xmpp-23456");
    } finally {
      rec.stop();
      gateway.stop();
    }
  }, 30_000);
});
