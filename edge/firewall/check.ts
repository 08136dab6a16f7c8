/**
 * The firewall decision for one 5-tuple (PORT-5): allowed only if every firewall
 * between the two zones has a rule for it. A drop names the firewall, the rule
 * that is missing (looked up in the catalogue of every feature's rules, so a
 * removed rule or a disabled feature is named) and the rule IDs. Hairpinning
 * through the external firewall is dropped by its anti-spoofing check (MOB-3).
 */
import type { FiveTuple } from "../events/types.ts";
import type { ConnectionMeta, Direction, FirewallDecision, FirewallModel, FirewallName, FirewallRule, FwProtocol, Selector } from "./types.ts";
import { crossings, zoneOf } from "./zones.ts";

export function selectorMatches(s: Selector, address: string): boolean {
  if (s.addresses.length === 0) return true;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return s.addresses.some((x) => (x.endsWith(".") ? a.startsWith(x) : a === x));
}

export function protocolOf(tuple: FiveTuple): FwProtocol {
  return tuple.transport === "udp" ? "udp" : "tcp";
}

function ruleMatches(r: FirewallRule, fw: FirewallName, dir: Direction, proto: FwProtocol, t: FiveTuple): boolean {
  return r.firewall === fw && r.direction === dir && r.protocol === proto && t.dstPort >= r.ports[0] && t.dstPort <= r.ports[1] && selectorMatches(r.source, t.srcAddress) && selectorMatches(r.destination, t.dstAddress);
}

export function describeTuple(t: FiveTuple): string {
  return `${protocolOf(t)} ${t.srcAddress} -> ${t.dstAddress}:${t.dstPort}`;
}

export function check(model: FirewallModel, tuple: FiveTuple, meta: ConnectionMeta): FirewallDecision {
  const from = zoneOf(model.zones, tuple.srcAddress, model.internetAliases);
  const to = zoneOf(model.zones, tuple.dstAddress, model.internetAliases);
  const what = `${describeTuple(tuple)}${meta.purpose ? ` (${meta.purpose})` : ""}`;
  if (!from || !to) {
    const which = !from ? tuple.srcAddress : tuple.dstAddress;
    return { allowed: false, rules: ["PORT-5"], detail: `${what}: ${which} is in no zone of the address plan, so no firewall rule can name it` };
  }
  if (model.hairpin === "external-firewall" && from === "internal" && to === "perimeterExternal") {
    return {
      allowed: false,
      firewall: "external",
      rules: ["MOB-3", "PORT-5"],
      missing: "hairpinning on the reverse proxy (internal firewall rule for internal clients to the reverse proxy's external listener)",
      detail: `${what}: hairpinned through the external firewall, the packet comes back in on its outside interface with an internal source address, and anti-spoofing drops it (MOB-3: hairpin on the reverse proxy, not the firewall)`,
    };
  }
  const proto = protocolOf(tuple);
  let last: FirewallDecision = { allowed: true, rules: [], detail: `${what}: ${from} to ${to} crosses no firewall` };
  for (const c of crossings(from, to)) {
    const rule = model.rules.find((r) => ruleMatches(r, c.firewall, c.direction, proto, tuple));
    if (rule) {
      last = { allowed: true, firewall: c.firewall, rule, rules: rule.rules, detail: `${what}: ${c.firewall} firewall passes it by rule ${rule.id} (${rule.label})` };
      continue;
    }
    const wanted = model.catalogue.find((r) => ruleMatches(r, c.firewall, c.direction, proto, tuple));
    const missing = wanted
      ? `rule ${wanted.id} (${wanted.label}, ${wanted.source.label} -> ${wanted.destination.label}, feature ${wanted.feature})`
      : `a ${c.direction} ${proto}/${tuple.dstPort} rule from ${from} to ${to}, which no enabled or known feature needs`;
    return {
      allowed: false,
      firewall: c.firewall,
      ...(wanted ? { rule: wanted } : {}),
      missing,
      rules: ["PORT-5", ...(wanted?.rules ?? [])],
      detail: `${what}: ${c.firewall} firewall drops it (${c.direction}, ${from} -> ${to}): missing ${missing}`,
    };
  }
  return last;
}
