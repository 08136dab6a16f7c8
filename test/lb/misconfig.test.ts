/**
 * HLB-6: the misconfigurations as topology settings, through the hlb world service:
 * edgePool.nat.av = snat, edgePool.avAnswerFrom = physical, edgePool.affinity = none.
 * Each case shows what breaks and checks that the trace names the rule.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type dgram from "node:dgram";
import type { World } from "../../harness/world/world.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import { createHlbService } from "../../harness/world/hlb-service.ts";
import type { RunningService } from "../../harness/world/service.ts";
import type { LbEvent } from "../../edge/events/types.ts";
import { derivePoolSecret, issueCredentials } from "../../edge/roles/av-edge/index.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { binding, localOf, udpClient } from "./kit.ts";
import { TurnClient } from "./turn-client.ts";

const B = ZONE_BASE.lbMisconfig;
const VIP_AV = `127.${B + 2}.0.12`;
const CLIENT = `127.${B + 3}.1.1`;
let world: World;
const own: dgram.Socket[] = [];

beforeAll(async () => {
  // The real A/V Edges: their own listeners on each edge's external A/V address (what SNAT re-dials) and their sinks (no NAT).
  world = await startTestWorld(topologyAt(B), { services: ["dns", "av-edge"] });
});
afterAll(async () => {
  for (const s of own) s.close();
  await world?.stop();
});

async function withHlb<T>(edit: (p: Topology["organisation"]["edgePool"]) => void, body: (hlb: RunningService) => Promise<T>): Promise<T> {
  const topology = structuredClone(world.topology);
  edit(topology.organisation.edgePool);
  const hlb = await createHlbService({ healthIntervalMs: 60_000 }).start({ ...world.context, topology });
  try {
    return await body(hlb);
  } finally {
    await hlb.stop();
  }
}

async function client(to?: { address: string; port: number }): Promise<dgram.Socket> {
  const c = await udpClient(CLIENT, to);
  own.push(c);
  return c;
}

describe("HLB-6 misconfigurations from the topology", () => {
  it("HLB-6: SNAT on the A/V VIP: XOR-MAPPED-ADDRESS names the balancer, so the server-reflexive candidate is wrong", async () => {
    await withHlb((p) => { p.nat.av = "snat"; }, async () => {
      const rec = world.bus.record(["lb.forward"]);
      const c = await client({ address: VIP_AV, port: 3478 });
      const got = await binding(c);
      rec.stop();
      expect(got?.from).toBe(`${VIP_AV}:3478`);
      expect(got?.mapped.split(":")[0]).toBe(VIP_AV);
      expect(got?.mapped).not.toBe(localOf(c));
      const ev = rec.events[0] as LbEvent;
      expect(ev.rules).toEqual(["HLB-6"]);
      expect(ev.tuple?.srcAddress).toBe(VIP_AV);
    });
  });

  it("HLB-6: avAnswerFrom physical: the edge answers a VIP client from its own IP and a connected client never receives it", async () => {
    await withHlb((p) => { p.avAnswerFrom = "physical"; }, async () => {
      const rec = world.bus.record(["lb.forward"]);
      expect(await binding(await client({ address: VIP_AV, port: 3478 }), undefined, 400)).toBeUndefined();
      const open = await binding(await client(), { address: VIP_AV, port: 3478 });
      rec.stop();
      expect(open?.from.split(":")[0]).toMatch(new RegExp(`^127\\.${B + 2}\\.[12]\\.12$`));
      expect(rec.events.some((e) => e.rules.includes("HLB-6") && (e as LbEvent).detail.includes("a connected client drops those answers"))).toBe(true);
    });
  });

  it("HLB-6: affinity none: one client's TURN requests alternate between the edges and its allocation never completes; affinity source completes it", async () => {
    const creds = issueCredentials(derivePoolSecret(world.pki.identity("av-auth").keyPem), "sip:alice@contoso.test", 600);
    const allocate = async () => {
      const turn = new TurnClient(await client({ address: VIP_AV, port: 3478 }), { address: VIP_AV, port: 3478 }, creds.username, creds.password);
      return { relayed: await turn.allocate(6), codes: turn.codes };
    };
    const rec = world.bus.record(["lb.forward"]);
    const bounced = await withHlb((p) => { p.affinity = "none"; }, allocate);
    rec.stop();
    expect(bounced.relayed).toBeUndefined();
    expect(bounced.codes).toEqual([401, 438, 438, 438, 438, 438]);
    expect(new Set(rec.events.map((e) => (e as LbEvent).backend))).toEqual(new Set(["edge1", "edge2"]));
    const sticky = await withHlb(() => undefined, allocate);
    expect(sticky.relayed).toBeDefined();
  });

  it("DNS-5: with DNS load balancing the hlb service opens no VIP", async () => {
    await withHlb((p) => { p.loadBalancing = "dns"; }, async (hlb) => {
      expect(hlb.endpoints).toEqual([]);
    });
  });
});
