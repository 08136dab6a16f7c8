/**
 * The address plan: every simulated host interface and VIP gets its own address
 * in 127.0.0.0/8, one /16 per zone, so the product's real ports (5061, 5269,
 * 3478, 5062, 23456, ...) are used as documented on every host at once.
 * Derived from the topology alone, so it is the same every run.
 *
 *   zone               third octet   fourth octet
 *   internal           0 dns (.53), dashboard (.80), web services VIPs (.10 internal, .11 external: MOB-5), 1 front ends, 2 internal users
 *   perimeterInternal  0 VIPs, 1 edge internal interfaces, 9 reverse proxy
 *   perimeterExternal  0 VIPs (.10 access, .11 webconf, .12 av), N edge N's role interfaces, 9 reverse proxy
 *   internet           0 dns, 1 remote users, 10+i partner i
 */
import type { Topology, Zone, Addressing } from "../topology/schema.ts";

export type Role = "dns" | "dashboard" | "frontend" | "access" | "webconf" | "av" | "xmpp" | "edge-internal" | "reverse-proxy" | "partner" | "client" | "lb";

export interface PlannedAddress {
  /** The simulated host, e.g. "edge1", "vip-access", "fabrikam-edge1". */
  host: string;
  /** Which interface of the host ("external-access", "internal", ...). */
  iface: string;
  zone: Zone;
  address: string;
  role: Role;
  fqdn?: string;
  vip: boolean;
}

export interface AddressPlan {
  entries: PlannedAddress[];
  dns: { internal: string; external: string };
  byHost(host: string, iface?: string): PlannedAddress;
  find(predicate: (a: PlannedAddress) => boolean): PlannedAddress[];
}

export function zoneAddress(addressing: Addressing, zone: Zone, third: number, fourth: number): string {
  const second = addressing[zone].split(".")[1];
  if (third < 0 || third > 255 || fourth < 1 || fourth > 254) throw new RangeError(`address 127.${second}.${third}.${fourth} is outside the ${zone} zone's plan`);
  return `127.${second}.${third}.${fourth}`;
}

export function buildAddressPlan(t: Topology): AddressPlan {
  const a = t.addressing;
  const entries: PlannedAddress[] = [];
  const add = (e: PlannedAddress) => entries.push(e);
  const pool = t.organisation.edgePool;

  add({ host: "dns-internal", iface: "internal", zone: "internal", address: zoneAddress(a, "internal", 0, 53), role: "dns", vip: false });
  add({ host: "dns-external", iface: "internet", zone: "internet", address: zoneAddress(a, "internet", 0, 53), role: "dns", vip: false });

  add({ host: "dashboard", iface: "internal", zone: "internal", address: zoneAddress(a, "internal", 0, 80), role: "dashboard", vip: false });

  t.organisation.frontEndPool.servers.forEach((fe, i) =>
    add({ host: fe, iface: "internal", zone: "internal", address: zoneAddress(a, "internal", 1, i + 1), role: "frontend", fqdn: `${fe}.${t.organisation.sipDomains[0]}`, vip: false }),
  );
  // MOB-5: the front-end HLB's web services VIPs (harness/world/web-vips.ts). Role "frontend":
  // the port plan's "Front End pool" rows (PORT-4: reverse proxy -> pool 4443/8080) cover them.
  add({ host: "vip-web-internal", iface: "internal", zone: "internal", address: zoneAddress(a, "internal", 0, 10), role: "frontend", fqdn: t.organisation.internalWebFqdn, vip: true });
  add({ host: "vip-web-external", iface: "internal", zone: "internal", address: zoneAddress(a, "internal", 0, 11), role: "frontend", vip: true });
  t.organisation.users.forEach((u, i) => {
    const zone: Zone = u.remote ? "internet" : "internal";
    add({ host: `client-${u.uri.split("@")[0]}`, iface: zone, zone, address: zoneAddress(a, zone, u.remote ? 1 : 2, i + 1), role: "client", vip: false });
  });

  add({ host: "vip-internal", iface: "internal", zone: "perimeterInternal", address: zoneAddress(a, "perimeterInternal", 0, 10), role: "edge-internal", fqdn: pool.internalFqdn, vip: true });
  add({ host: "vip-access", iface: "external", zone: "perimeterExternal", address: zoneAddress(a, "perimeterExternal", 0, 10), role: "access", fqdn: pool.accessFqdn, vip: true });
  add({ host: "vip-webconf", iface: "external", zone: "perimeterExternal", address: zoneAddress(a, "perimeterExternal", 0, 11), role: "webconf", fqdn: pool.webconfFqdn, vip: true });
  add({ host: "vip-av", iface: "external", zone: "perimeterExternal", address: zoneAddress(a, "perimeterExternal", 0, 12), role: "av", fqdn: pool.avFqdn, vip: true });

  pool.servers.forEach((edge, i) => {
    const n = i + 1;
    add({ host: edge, iface: "internal", zone: "perimeterInternal", address: zoneAddress(a, "perimeterInternal", 1, n), role: "edge-internal", fqdn: `${edge}.${t.organisation.sipDomains[0]}`, vip: false });
    add({ host: edge, iface: "external-access", zone: "perimeterExternal", address: zoneAddress(a, "perimeterExternal", n, 10), role: "access", fqdn: edgeRoleFqdn(pool.accessFqdn, edge), vip: false });
    add({ host: edge, iface: "external-webconf", zone: "perimeterExternal", address: zoneAddress(a, "perimeterExternal", n, 11), role: "webconf", fqdn: edgeRoleFqdn(pool.webconfFqdn, edge), vip: false });
    add({ host: edge, iface: "external-av", zone: "perimeterExternal", address: zoneAddress(a, "perimeterExternal", n, 12), role: "av", fqdn: edgeRoleFqdn(pool.avFqdn, edge), vip: false });
  });

  add({ host: "reverse-proxy", iface: "internal", zone: "perimeterInternal", address: zoneAddress(a, "perimeterInternal", 9, 1), role: "reverse-proxy", vip: false });
  add({ host: "reverse-proxy", iface: "external", zone: "perimeterExternal", address: zoneAddress(a, "perimeterExternal", 9, 1), role: "reverse-proxy", fqdn: t.organisation.externalWebFqdn, vip: false });

  t.partners.forEach((p, i) => {
    const third = 10 + i;
    const short = p.domain.split(".")[0]!;
    if (p.loadBalancing === "hlb" && p.vipFqdn)
      add({ host: `${short}-vip`, iface: "external", zone: "internet", address: zoneAddress(a, "internet", third, 100), role: "partner", fqdn: p.vipFqdn, vip: true });
    p.edges.forEach((e, j) =>
      add({ host: `${short}-${e.name}`, iface: "external", zone: "internet", address: zoneAddress(a, "internet", third, j + 1), role: "partner", fqdn: e.fqdn, vip: false }),
    );
    add({ host: `${short}-clients`, iface: "external", zone: "internet", address: zoneAddress(a, "internet", third, 200), role: "client", vip: false });
  });

  const plan: AddressPlan = {
    entries,
    dns: { internal: entries[0]!.address, external: entries[1]!.address },
    byHost(host, iface) {
      const hit = entries.find((e) => e.host === host && (iface === undefined || e.iface === iface));
      if (!hit) throw new RangeError(`the address plan has no host '${host}'${iface ? ` with interface '${iface}'` : ""}`);
      return hit;
    },
    find: (predicate) => entries.filter(predicate),
  };
  assertUnique(entries);
  return plan;
}

/** An edge server's own external name for a role: sip.contoso.test on edge1 -> edge1-sip.contoso.test. */
export function edgeRoleFqdn(roleFqdn: string, edge: string): string {
  const [first, ...rest] = roleFqdn.split(".");
  return [`${edge}-${first}`, ...rest].join(".");
}

function assertUnique(entries: PlannedAddress[]): void {
  const seen = new Map<string, PlannedAddress>();
  for (const e of entries) {
    const other = seen.get(e.address);
    if (other) throw new RangeError(`two hosts on one address: ${other.host}/${other.iface} and ${e.host}/${e.iface} both have ${e.address}`);
    seen.set(e.address, e);
  }
}
