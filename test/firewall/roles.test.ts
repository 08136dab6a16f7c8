/**
 * PORT-5 for every role that opens sockets through the connection gate: with the
 * rule a role needs removed from the world's firewall, the role's peer is
 * refused (reset before a byte, or the datagram never delivered) and the drop is
 * traced with PORT-5 and the missing rule; with the rule in force the same
 * attempt passes by that rule. One world, rules restored after each case.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import type { RunningAvEdge } from "../../harness/world/av-edge-service.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { sendBinding, tcpOutcome } from "./role-probe.ts";

let world: World;
beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.firewallRoles), { services: ["dns", "av-edge", "webconf-edge"] });
}, 90_000);
afterEach(() => worldFirewall(world?.context).reset());
afterAll(async () => {
  await world?.stop();
});

const addr = (host: string, iface?: string) => world.plan.byHost(host, iface).address;

function expectDropTraced(events: EdgeEvent[], rule: string): void {
  const drops = events.filter((e) => e.kind === "firewall.drop");
  expect(drops.length, "one firewall.drop at least").toBeGreaterThan(0);
  for (const d of drops) {
    expect(d.rules).toContain("PORT-5");
    expect(d.kind === "firewall.drop" && d.detail).toContain(`missing rule ${rule}`);
  }
}

type FirewallEvent = Extract<EdgeEvent, { kind: "firewall.drop" | "firewall.pass" }>;

/** The first firewall event of `kind` towards `dst`, or a rejection after 5 s. */
function nextFirewallEvent(kind: FirewallEvent["kind"], dst: string): Promise<FirewallEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${kind} towards ${dst} within 5 s`));
    }, 5000);
    const stop = world.bus.subscribe((e) => {
      if (e.kind !== kind || e.tuple?.dstAddress !== dst) return;
      clearTimeout(timer);
      stop();
      resolve(e);
    });
  });
}

interface TcpCase {
  name: string;
  rule: string;
  from: () => string;
  to: () => { address: string; port: number };
}

const tcpCases: TcpCase[] = [
  { name: "A/V Edge: STUN/TURN over TCP 443 on edge1's external A/V address", rule: "002-ext-node-stun-tcp-in", from: () => addr("client-alice"), to: () => ({ address: addr("edge1", "external-av"), port: 10443 }) },
  { name: "A/V Edge: STUN/TURN over TCP 443 on edge2's internal interface, from the front end", rule: "002-int-node-stun-tcp", from: () => addr("fe01"), to: () => ({ address: addr("edge2", "internal"), port: 10443 }) },
];

describe("PORT-5: a role's TCP listener refuses the peer its firewall has no rule for", () => {
  it.each(tcpCases)("$name: passes by $rule, and without it is refused with the drop traced", async (c) => {
    const pass = world.bus.record(["firewall.pass", "firewall.drop"]);
    expect(await tcpOutcome(c.from(), c.to())).toBe("held");
    pass.stop();
    expect(pass.events.some((e) => e.kind === "firewall.pass" && e.detail.includes(`by rule ${c.rule}`)), "passed by the rule").toBe(true);

    worldFirewall(world.context).removeRule(c.rule);
    const rec = world.bus.record(["firewall.drop"]);
    expect(await tcpOutcome(c.from(), c.to())).toBe("refused");
    rec.stop();
    expectDropTraced(rec.events, c.rule);
  });
});

describe("PORT-5: an edge's own Web Conferencing address is not published (seed 002 opens only the VIP)", () => {
  it("Web Conferencing Edge: a client dialling edge1's own external Web Conferencing address is refused, the drop traced with PORT-5", async () => {
    const target = { address: addr("edge1", "external-webconf"), port: 10443 };
    const drop = nextFirewallEvent("firewall.drop", target.address);
    expect(await tcpOutcome(addr("client-alice"), target)).toBe("refused");
    const d = await drop;
    expect(d.rules).toContain("PORT-5");
    expect(d.detail).toContain("which no enabled or known feature needs");
  });
});

describe("PORT-5: a role's UDP socket delivers no datagram its firewall has no rule for", () => {
  it("A/V Edge: a Binding to edge1's external A/V UDP 3478 is dropped without 002-ext-node-stun-udp-in, and counted only with it", async () => {
    const edge1 = (world.service("av-edge") as RunningAvEdge).edges.get("edge1")!.server;
    const target = { address: addr("edge1", "external-av"), port: 3478 };
    worldFirewall(world.context).removeRule("002-ext-node-stun-udp-in");
    const before = edge1.stats.bindings;
    const drop = nextFirewallEvent("firewall.drop", target.address);
    await sendBinding(addr("client-alice"), target);
    const d = await drop;
    expectDropTraced([d], "002-ext-node-stun-udp-in");
    expect(edge1.stats.bindings).toBe(before);

    worldFirewall(world.context).reset();
    const pass = nextFirewallEvent("firewall.pass", target.address);
    await sendBinding(addr("client-alice"), target);
    expect((await pass).detail).toContain("by rule 002-ext-node-stun-udp-in");
  });
});
