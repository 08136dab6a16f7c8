/**
 * What the Access Edge tests share: the services an issue-3 world needs, event
 * capture, and the contoso topology with DNS load balancing (each edge's own
 * address in DNS, so no load balancer is needed) plus the test partners.
 */
import type { EdgeEvent } from "../../edge/events/types.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import type { World } from "../../harness/world/world.ts";

export const SIP_SERVICES = ["dns", "frontend", "access-edge", "remote-users", "sip-partners"];

/** Every event from now on, for assertions on traces. */
export function captureEvents(world: World): { events: EdgeEvent[]; stop(): void } {
  const events: EdgeEvent[] = [];
  const stop = world.bus.subscribe((e) => void events.push(e));
  return { events, stop };
}

export function dnsLoadBalanced(t: Topology): void {
  t.organisation.edgePool.loadBalancing = "dns";
}

/** FED-10 test partners: one claims fabrikam.test, one claims our own contoso.test. */
export function addSpoofingPartners(t: Topology): void {
  t.partners.push(
    { domain: "spoof.test", product: "lync2013", edges: [{ name: "edge1", fqdn: "sip.spoof.test" }], loadBalancing: "dns", users: ["eve@spoof.test"], hostedDomains: [], publishSrv: true, claimsDomain: "fabrikam.test", certificate: { omitClientAuth: false, wrongSan: false, expired: false, untrustedCa: false } },
    { domain: "imposter.test", product: "lync2013", edges: [{ name: "edge1", fqdn: "sip.imposter.test" }], loadBalancing: "dns", users: ["ivan@imposter.test"], hostedDomains: [], publishSrv: true, claimsDomain: "contoso.test", certificate: { omitClientAuth: false, wrongSan: false, expired: false, untrustedCa: false } },
  );
}
