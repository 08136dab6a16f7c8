/**
 * Real addresses for `edgesim ports --addresses real` (issue 14, item 5): the
 * sandbox's rule set (PORT-1..PORT-5) with each planned address replaced by the
 * admin's own, where the topology's `realAddresses` or a `--map SANDBOX=REAL`
 * names one. Rows whose addresses nothing maps keep their sandbox addresses and
 * are listed as unmapped: the output never mixes the two silently.
 *
 * Steps: parse each --map entry (parseMapOption), resolve every entry's sandbox
 * side against the address plan (resolveRealAddresses), rewrite the selectors
 * (withRealAddresses). Printing only: nothing here binds or dials.
 */
import type { FirewallRule, FwZone, Selector } from "../../edge/firewall/types.ts";
import { buildAddressPlan, type AddressPlan, type PlannedAddress } from "../world/address-plan.ts";
import { ZONES, type Topology } from "../topology/schema.ts";
import { realAddressProblem, type RealAddressEntry } from "../topology/schema-real-addresses.ts";
import { zonePrefixes, type PortPlan } from "./port-plan.ts";

export class AddressMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AddressMapError";
  }
}

/** `--map vip-access=203.0.113.10`: split once at '='; the real side is checked here, the sandbox side against the plan. */
export function parseMapOption(text: string): RealAddressEntry {
  const at = text.indexOf("=");
  const sandbox = at < 0 ? "" : text.slice(0, at).trim();
  const real = at < 0 ? "" : text.slice(at + 1).trim();
  if (!sandbox || !real) throw new AddressMapError(`--map ${text}: expected SANDBOX=REAL, such as vip-access=203.0.113.10 or edge1/external-av=203.0.113.22`);
  const why = realAddressProblem(real);
  if (why) throw new AddressMapError(`--map ${text}: ${why}`);
  return { sandbox, real, note: "--map" };
}

/** One sandbox address (or zone prefix "127.10.") and the real address printed for it. */
export interface ResolvedMapping {
  /** As the plan's selectors carry it: "127.30.0.10" or a zone prefix "127.10.". */
  sandbox: string;
  /** The plan entry's name, for messages: "vip-access", "edge1/external-av", "zone internal". */
  name: string;
  real: string;
}

export interface ResolvedAddresses {
  bySandbox: Map<string, ResolvedMapping>;
  /** Entries whose sandbox side the plan does not know, with the entry's index. */
  problems: { index: number; message: string }[];
}

function entryName(e: PlannedAddress, plan: AddressPlan): string {
  return plan.find((x) => x.host === e.host).length > 1 ? `${e.host}/${e.iface}` : e.host;
}

/** The plan entries (or zone) a sandbox name stands for; a message when it stands for none or is ambiguous. */
function lookup(name: string, plan: AddressPlan, zones: Record<FwZone, string>): { hits: { sandbox: string; name: string }[] } | { message: string } {
  if ((ZONES as readonly string[]).includes(name)) return { hits: [{ sandbox: zones[name as FwZone], name: `zone ${name}` }] };
  const zone = ZONES.find((z) => `${zones[z].slice(0, -1)}.0.0/16` === name);
  if (zone) return { hits: [{ sandbox: zones[zone], name: `zone ${zone}` }] };
  if (/^127\./.test(name)) {
    const e = plan.entries.find((x) => x.address === name);
    return e ? { hits: [{ sandbox: e.address, name: entryName(e, plan) }] } : { message: `${name} is not an address of the plan (see edgesim addresses)` };
  }
  const [host, iface] = name.split("/");
  const matches = plan.find((e) => e.host === host && (iface === undefined || e.iface === iface));
  if (matches.length === 0) return { message: `the address plan has no ${iface ? `interface '${name}'` : `host '${name}'`} (see edgesim addresses)` };
  if (matches.length > 1) return { message: `${host} has ${matches.length} interfaces: name one (${matches.map((e) => `${e.host}/${e.iface}`).join(", ")})` };
  return { hits: [{ sandbox: matches[0]!.address, name: entryName(matches[0]!, plan) }] };
}

/** Every entry resolved against the topology's plan; later entries (--map after the file's) win for the same sandbox address. */
export function resolveRealAddresses(t: Topology, entries: readonly RealAddressEntry[]): ResolvedAddresses {
  const plan = buildAddressPlan(t);
  const zones = zonePrefixes(t);
  const bySandbox = new Map<string, ResolvedMapping>();
  const problems: ResolvedAddresses["problems"] = [];
  entries.forEach((entry, index) => {
    const found = lookup(entry.sandbox, plan, zones);
    if ("message" in found) return void problems.push({ index, message: found.message });
    for (const h of found.hits) bySandbox.set(h.sandbox, { ...h, real: entry.real });
  });
  return { bySandbox, problems };
}

/** A selector address nothing maps, with the rows that carry it. */
export interface UnmappedAddress {
  sandbox: string;
  /** The plan entry's name ("edge2/external-access") or zone, to write the --map for it. */
  name: string;
  rules: string[];
}

export interface RealRuleSet {
  /** The rules with real addresses where mapped; unmapped addresses stay as the sandbox's. */
  rules: FirewallRule[];
  /** Rule ID -> the sandbox addresses it still carries. */
  unmappedRules: Map<string, string[]>;
  unmapped: UnmappedAddress[];
}

function nameOfSandbox(address: string, plan: AddressPlan, zones: Record<FwZone, string>): string {
  const zone = ZONES.find((z) => zones[z] === address);
  if (zone) return zone;
  const e = plan.entries.find((x) => x.address === address);
  return e ? entryName(e, plan) : address;
}

export function withRealAddresses(t: Topology, p: PortPlan, resolved: ResolvedAddresses): RealRuleSet {
  const plan = buildAddressPlan(t);
  const unmappedRules = new Map<string, string[]>();
  const unmapped = new Map<string, UnmappedAddress>();
  const rewrite = (rule: FirewallRule, s: Selector): Selector => ({
    ...s,
    addresses: s.addresses.map((a) => {
      const hit = resolved.bySandbox.get(a);
      if (hit) return hit.real;
      unmappedRules.set(rule.id, [...(unmappedRules.get(rule.id) ?? []), a]);
      const u = unmapped.get(a) ?? { sandbox: a, name: nameOfSandbox(a, plan, p.zones), rules: [] };
      if (!u.rules.includes(rule.id)) u.rules.push(rule.id);
      unmapped.set(a, u);
      return a;
    }),
  });
  const rules = p.rules.map((r) => ({ ...r, source: rewrite(r, r.source), destination: rewrite(r, r.destination) }));
  return { rules, unmappedRules, unmapped: [...unmapped.values()] };
}
