/**
 * What the STUN/TURN sentences keep between steps of one scenario: the client sockets they
 * opened (closed when the world stops, so a scenario never leaks a socket) and the TURN
 * relays each user holds (a later step refreshes one, or says it was lost in a failover).
 * Also the lookups the sentences share: a user's planned client address, what an address
 * is in the plan (a VIP, an edge's own A/V IP), and the running A/V Edges.
 */
import type { World } from "../../world/world.ts";
import type { PlannedAddress } from "../../world/address-plan.ts";
import type { RunningAvEdge } from "../../world/av-edge-service.ts";
import type { ScenarioContext } from "../types.ts";
import { addrText, type Addr, type StunProbe } from "./stun-client.ts";

export interface HeldRelay {
  user: string;
  probe: StunProbe;
  relayed: Addr;
  /** The edge whose own A/V address the relay is on (HLB-3). */
  edge: string;
  /** Where the client first asked (the A/V VIP): where it goes back when the edge falls silent. */
  target: Addr;
}

interface StunState {
  probes: StunProbe[];
  relays: HeldRelay[];
}

const states = new WeakMap<World, StunState>();

export function stunState(world: World): StunState {
  const s = states.get(world);
  if (s) return s;
  const fresh: StunState = { probes: [], relays: [] };
  const unsubscribe = world.bus.subscribe((e) => {
    if (e.kind !== "world.stopped") return;
    for (const p of fresh.probes) p.close();
    fresh.probes.length = 0;
    fresh.relays.length = 0;
    unsubscribe();
  });
  states.set(world, fresh);
  return fresh;
}

/** A user of the topology ("alice" or "alice@contoso.test"): its URI and its planned client address. */
export function clientOf(ctx: ScenarioContext, who: string): { uri: string; address: string } {
  const name = who.toLowerCase().split("@")[0]!;
  const t = ctx.world.topology;
  const ours = t.organisation.users.find((u) => u.uri.toLowerCase().split("@")[0] === name);
  const host = `client-${name}`;
  const planned = ctx.world.plan.find((e) => e.host === host)[0];
  if (!ours || !planned) {
    const known = t.organisation.users.map((u) => u.uri.split("@")[0]).join(", ");
    throw new RangeError(`'${who}' is not a user of ${t.organisation.name} with a client address in the plan (users: ${known})`);
  }
  return { uri: ours.uri.toLowerCase(), address: planned.address };
}

/** The plan's entry for an address, if any. */
export function plannedAt(ctx: ScenarioContext, address: string): PlannedAddress | undefined {
  return ctx.world.plan.find((e) => e.address === address)[0];
}

/** How a detail names an address: "the VIP av.contoso.test", "edge1's own A/V IP", or the address. */
export function describeAddress(ctx: ScenarioContext, a: Addr): string {
  const p = plannedAt(ctx, a.address);
  if (!p) return addrText(a);
  if (p.vip) return `the VIP ${p.fqdn ?? p.host} (${addrText(a)})`;
  if (p.role === "av") return `${p.host}'s own A/V IP (${addrText(a)})`;
  return `${p.host} (${addrText(a)})`;
}

/** The edge whose own external A/V address this is, if it is one (not a VIP). */
export function avEdgeAt(ctx: ScenarioContext, address: string): string | undefined {
  const p = plannedAt(ctx, address);
  return p && !p.vip && p.role === "av" && p.iface === "external-av" ? p.host : undefined;
}

export function runningAvEdge(ctx: ScenarioContext): RunningAvEdge {
  const s = ctx.world.context.running.get("av-edge") as RunningAvEdge | undefined;
  if (!s) throw new RangeError("the world runs no A/V Edge (service 'av-edge')");
  return s;
}

/** Whether the edge's A/V Edge still holds this relay (false after it stopped or the allocation expired). */
export function stillHeld(ctx: ScenarioContext, r: HeldRelay): boolean {
  const edge = runningAvEdge(ctx).edges.get(r.edge);
  return edge?.server.allocations().some((a) => a.relayed.address === r.relayed.address && a.relayed.port === r.relayed.port) ?? false;
}
