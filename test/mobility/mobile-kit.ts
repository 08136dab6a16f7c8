/** Mobile clients for a test world: inside (an internal user, internal DNS view) or outside (a remote user, internet view). */
import { MobileClient, type Scheme } from "../../harness/clients/mobile.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import type { World } from "../../harness/world/world.ts";

export const WEB_SERVICES = ["dns", "web", "reverse-proxy"];

export function mobileClient(world: World, user: string, where: "inside" | "outside", schemes?: Scheme[]): MobileClient {
  const ctx = world.context;
  const host = `client-${user.split("@")[0]}`;
  const entry = world.plan.byHost(host);
  const inside = where === "inside";
  if ((entry.zone === "internal") !== inside) throw new RangeError(`${user} is ${entry.zone}, not ${where}: pick a user who is`);
  return new MobileClient({
    host, localAddress: entry.address, resolver: ctx.resolverFor(inside ? "internal" : "external", entry.address), gate: worldFirewall(ctx).gate, events: ctx.events,
    caPem: world.pki.identity("frontend").caPem, user, ports: { http: ctx.mapPort(80), https: ctx.mapPort(443) }, ...(schemes ? { schemes } : {}),
  });
}
