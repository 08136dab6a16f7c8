/**
 * Which zone an address is in, and which firewalls a packet crosses between two
 * zones. The zones are ordered from least to most trusted; the external firewall
 * stands between the internet and the perimeter, the internal firewall between
 * the perimeter and the internal network; the two perimeter sides (the edge's
 * external and internal interfaces) share the perimeter network, with no firewall.
 */
import type { Direction, FirewallName, FwZone } from "./types.ts";

export const ZONE_ORDER: readonly FwZone[] = ["internet", "perimeterExternal", "perimeterInternal", "internal"];

/** The zone of an address; `internetAliases` (127.0.0.1: real peers that cannot pick a source) count as the internet. */
export function zoneOf(zones: Record<FwZone, string>, address: string, internetAliases: readonly string[] = []): FwZone | undefined {
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (internetAliases.includes(a)) return "internet";
  return ZONE_ORDER.find((z) => a.startsWith(zones[z]));
}

export interface Crossing {
  firewall: FirewallName;
  direction: Direction;
}

/** The firewalls between two zones, in the order the packet meets them. Inbound = towards the more trusted side. */
export function crossings(from: FwZone, to: FwZone): Crossing[] {
  const a = ZONE_ORDER.indexOf(from);
  const b = ZONE_ORDER.indexOf(to);
  const direction: Direction = b > a ? "inbound" : "outbound";
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const out: Crossing[] = [];
  if (lo === 0 && hi >= 1) out.push({ firewall: "external", direction });
  if (lo <= 2 && hi === 3) out.push({ firewall: "internal", direction });
  return b > a ? out : out.reverse();
}
