/**
 * PORT-2, PORT-3, PORT-5 for SIP: every connection of a federated or remote-user
 * IM crosses a firewall by the seed 002 rule that names it, and with that rule
 * removed the sender gets a final response that says why (504 naming PORT-5 and
 * the missing rule) and the drop is traced. With the hardware load balancer the
 * edges' outbound connections leave from the VIPs (seed 002 names the VIPs as
 * their source). One world, rules restored after each case.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { EventBus } from "../../harness/events/bus.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import { RemoteUser } from "../../harness/org/frontend/index.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import type { World } from "../../harness/world/world.ts";
import type { SendResult } from "../../partners/sip/index.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { tcpOutcome } from "./role-probe.ts";

type FirewallEvent = Extract<EdgeEvent, { kind: "firewall.pass" | "firewall.drop" }>;
let world: World;
/** The passes of the world's first messages, which open the connections later cases reuse. */
let firstPasses: FirewallEvent[] = [];
beforeAll(async () => {
  // Recorded from the start: the remote user's sign-in at start opens the edge -> front end connection.
  const bus = new EventBus();
  const rec = bus.record(["firewall.pass"]);
  world = await startTestWorld(topologyAt(ZONE_BASE.firewallSip), { bus, services: ["dns", "frontend", "access-edge", "hlb", "remote-users", "sip-partners"] });
  await inbound();
  await outbound();
  rec.stop();
  firstPasses = rec.events as typeof firstPasses;
}, 90_000);
afterEach(() => worldFirewall(world?.context).reset());
afterAll(async () => {
  await world?.stop();
});

const addr = (host: string, iface?: string) => world.plan.byHost(host, iface).address;

async function recorded<T>(fn: () => Promise<T>): Promise<{ value: T; events: FirewallEvent[] }> {
  const rec = world.bus.record(["firewall.pass", "firewall.drop"]);
  try {
    return { value: await fn(), events: rec.events as FirewallEvent[] };
  } finally {
    rec.stop();
  }
}

interface SipCase {
  name: string;
  rule: string;
  send: (w?: World) => Promise<SendResult>;
  /** The source address the crossing must carry. */
  source: () => string;
}

const inbound = (w: World = world) => sipPartnerOf(w, "fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "in");
const outbound = (w: World = world) => frontEndOf(w).user("carol@contoso.test").sendMessage("bob@fabrikam.test", "out");
const cases: SipCase[] = [
  { name: "a partner's connection to the Access VIP (inbound federation)", rule: "002-ext-vip-sip-5061-in", source: () => addr("fabrikam-edge1"), send: inbound },
  { name: "the Access Edge's connection to a partner, from the Access VIP (outbound federation)", rule: "002-ext-vip-sip-5061-out", source: () => addr("vip-access"), send: outbound },
  { name: "the front end's connection to the internal VIP", rule: "002-int-vip-sip-5061-out", source: () => addr("fe01"), send: outbound },
  { name: "the edge's connection to the front end, from the internal VIP", rule: "002-int-vip-sip-5061-in", source: () => addr("vip-internal"), send: inbound },
];

describe("PORT-2/PORT-3: each SIP crossing passes by its seed 002 rule", () => {
  it.each(cases)("$name: passes by $rule, from the address seed 002 names", async (c) => {
    const ok = await recorded(c.send);
    expect(ok.value.status, ok.value.reason).toBe(200);
    const passes: FirewallEvent[] = ok.events.filter((e) => e.kind === "firewall.pass" && e.detail.includes(`by rule ${c.rule}`));
    // Connections are reused; the first message of the world opened them (or this one did).
    const all: FirewallEvent[] = passes.length ? passes : firstPasses.filter((e) => e.detail.includes(`by rule ${c.rule}`));
    expect(all.length, `no pass by ${c.rule}`).toBeGreaterThan(0);
    expect(all.every((e) => e.tuple!.srcAddress === c.source())).toBe(true);
  }, 30_000);
});

describe("PORT-5: without the rule the sender gets 504 naming PORT-5 and the missing rule, and the drop is traced", () => {
  // A fresh world per case, with the rule removed before any connection exists: an
  // established connection outlives a removed rule, as on a real stateful firewall.
  it.each(cases)("$name: refused without $rule", async (c) => {
    const fresh = await startTestWorld(topologyAt(ZONE_BASE.firewallSipFresh), { services: ["dns", "frontend", "access-edge", "hlb", "sip-partners"] });
    try {
      worldFirewall(fresh.context).removeRule(c.rule);
      const rec = fresh.bus.record(["firewall.drop"]);
      const r = await c.send(fresh);
      rec.stop();
      expect(r.status).toBe(504);
      expect(`${r.reason} ${r.diagnostics?.text ?? ""}`).toMatch(new RegExp(`PORT-5|${c.rule}`));
      const drop = rec.events.find((e) => e.kind === "firewall.drop");
      expect(drop?.rules).toContain("PORT-5");
      expect(drop?.kind === "firewall.drop" && drop.detail).toContain(`missing rule ${c.rule}`);
    } finally {
      await fresh.stop();
    }
  }, 60_000);
});

describe("PORT-2: remote users", () => {
  it("PORT-2: a remote user signs in through the Access VIP by 002-ext-vip-sip-443-in; without it the sign-in fails and the drop names the rule", async () => {
    // A second client of alice's, as the remote-users service builds one (its own pool, so a new connection).
    const device = () => new RemoteUser({ uri: "alice@contoso.test", host: "client-alice", address: addr("client-alice"), caPem: world.pki.ca.certPem, resolver: world.context.resolvers.external, events: world.context.events, gate: worldFirewall(world.context).gate });
    const first = device();
    const ok = await recorded(() => first.signIn());
    first.stop();
    expect(ok.value.status, ok.value.reason).toBe(200);
    expect(ok.events.some((e) => e.kind === "firewall.pass" && e.detail.includes("by rule 002-ext-vip-sip-443-in"))).toBe(true);

    worldFirewall(world.context).removeRule("002-ext-vip-sip-443-in");
    const second = device();
    const refused = await recorded(() => second.signIn());
    second.stop();
    expect(refused.value.status).toBe(503);
    expect(refused.value.reason).toContain("missing rule 002-ext-vip-sip-443-in");
    expect(refused.events.find((e) => e.kind === "firewall.drop")?.detail).toContain("missing rule 002-ext-vip-sip-443-in");
  }, 30_000);

  it("PORT-5: SIP over WSS on edge1's 8443 is let in by edgesim's own rule edgesim-ext-node-wss-8443-in, and refused without it", async () => {
    const to = { address: addr("edge1", "external-access"), port: 8443 };
    expect(await tcpOutcome(addr("client-alice"), to)).toBe("held");
    worldFirewall(world.context).removeRule("edgesim-ext-node-wss-8443-in");
    const rec = world.bus.record(["firewall.drop"]);
    expect(await tcpOutcome(addr("client-alice"), to)).toBe("refused");
    rec.stop();
    expect(rec.events.some((e) => e.kind === "firewall.drop" && e.detail.includes("missing rule edgesim-ext-node-wss-8443-in"))).toBe(true);
  });

  it("PORT-5: the internet cannot reach an edge's internal interface at all", async () => {
    const rec = world.bus.record(["firewall.drop"]);
    expect(await tcpOutcome(addr("client-alice"), { address: addr("edge1", "internal"), port: 5061 })).toBe("refused");
    rec.stop();
    const drop = rec.events.find((e) => e.kind === "firewall.drop");
    expect(drop?.kind === "firewall.drop" && drop.firewall).toBe("external");
  });
});
