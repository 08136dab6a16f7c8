/**
 * The world's DNS resolvers (PORT-5, DNS-4): one per (view, asking address),
 * built on first use and shared. A simulated host asks from its own planned
 * address, so the firewalls judge its query by the zone it is in: the internal
 * view answers the internal zone (and the edge's external side never reaches
 * it), the external view answers the internet, and an Access Edge node's external
 * address passes the external firewall by 002-ext-node-dns-udp-53-out (PORT-1).
 *
 * `resolvers.internal` / `.external` ask from the view's own server address: a
 * query that crosses no firewall, as `dig` run on the DNS server itself. They are
 * for harness code that reads the DNS on nobody's behalf (scenario narration,
 * tests looking up what a zone holds); a simulated host uses `resolverFor` with
 * its own address.
 */
import type { NameResolver } from "../../edge/net/resolver.ts";
import { createResolver } from "../dns/resolver.ts";
import type { ViewName } from "../dns/records.ts";
import type { AddressPlan } from "./address-plan.ts";

export interface WorldResolvers {
  resolvers: Record<ViewName, NameResolver>;
  resolverFor(view: ViewName, localAddress: string): NameResolver;
}

export function worldResolvers(plan: AddressPlan, dnsPort: number): WorldResolvers {
  const known = new Map<string, NameResolver>();
  const resolverFor = (view: ViewName, localAddress: string): NameResolver => {
    if (view !== "internal" && view !== "external") throw new RangeError(`a DNS view is internal or external, not '${String(view)}'`);
    const key = `${view}|${localAddress}`;
    let r = known.get(key);
    if (!r) {
      r = createResolver(view, { address: plan.dns[view], port: dnsPort }, localAddress);
      known.set(key, r);
    }
    return r;
  };
  return { resolvers: { internal: resolverFor("internal", plan.dns.internal), external: resolverFor("external", plan.dns.external) }, resolverFor };
}
