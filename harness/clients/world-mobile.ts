/**
 * A mobile client placed in a running world (seed 000): the user's device host
 * from the address plan, the DNS view of where it is (DNS-4: inside the internal
 * view, outside the internet's), the world's firewall gate (PORT-5) and the
 * sandbox CA. Used by scenario sentences; the world decides where a user sits
 * (`remote: true` users are on the internet, the others inside).
 */
import { worldFirewall } from "../net/world-firewall.ts";
import type { World } from "../world/world.ts";
import { MobileClient, type Scheme } from "./mobile.ts";

export type Where = "inside" | "outside";

export function mobileClientIn(world: World, user: string, where: Where, schemes?: Scheme[]): MobileClient {
  const ctx = world.context;
  const known = world.topology.organisation.users.find((u) => u.uri.toLowerCase() === user.toLowerCase());
  if (!known) throw new RangeError(`${user} is not a user of ${world.topology.organisation.name} (users: ${world.topology.organisation.users.map((u) => u.uri).join(", ")})`);
  const host = `client-${known.uri.split("@")[0]}`;
  const entry = world.plan.byHost(host);
  const inside = where === "inside";
  if ((entry.zone === "internal") !== inside)
    throw new RangeError(`${known.uri}'s device is in the ${entry.zone} zone (remote: ${known.remote}), so it signs in from ${inside ? "outside" : "inside"}, not ${where}: pick a user who is ${where}`);
  return new MobileClient({
    host,
    localAddress: entry.address,
    resolver: ctx.resolverFor(inside ? "internal" : "external", entry.address),
    gate: worldFirewall(ctx).gate,
    events: ctx.events,
    caPem: world.pki.identity("frontend").caPem,
    user: known.uri,
    ports: { http: ctx.mapPort(80), https: ctx.mapPort(443) },
    ...(schemes ? { schemes } : {}),
  });
}
