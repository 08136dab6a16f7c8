/** `edgesim ports` output: grouped tables, CSV, JSON (PORT-1..PORT-5). */
import { cidr } from "../../edge/firewall/nftables.ts";
import type { FirewallRule, Selector } from "../../edge/firewall/types.ts";
import { formatTable } from "../cli/table.ts";
import type { PortPlan } from "./port-plan.ts";
import { SEED_TABLES, type SeedTableId } from "./seed-tables.ts";
import type { RealRuleSet } from "./real-addresses.ts";

export type NotesLanguage = "en" | "seed";

/**
 * Which addresses the output prints: the sandbox's plan (default), or the admin's
 * own (issue 14, item 5) with the rows nothing maps flagged, never mixed in silently.
 */
export type AddressView = { kind: "sandbox" } | { kind: "real"; real: RealRuleSet; zones: Record<string, string | undefined> };

const SANDBOX: AddressView = { kind: "sandbox" };

/** In the real view, an address nothing maps is printed with a mark saying so. */
function shown(view: AddressView, rule: FirewallRule, address: string): string {
  return view.kind === "real" && view.real.unmappedRules.get(rule.id)?.includes(address) ? `${cidr(address)} (sandbox: UNMAPPED)` : cidr(address);
}

/** The lines that say what the addresses are, and which rows still carry the sandbox's. */
export function addressNotes(view: AddressView): string[] {
  if (view.kind === "sandbox") return [];
  const lines = ["Addresses: real, from the topology's realAddresses and --map (printed only: the sandbox binds and dials 127.0.0.0/8 alone)."];
  const u = view.real.unmapped;
  if (u.length === 0) return [...lines, "Every address is mapped."];
  lines.push(`${view.real.unmappedRules.size} rules still carry sandbox addresses because nothing maps them:`);
  for (const a of u) lines.push(`  ${cidr(a.sandbox)} (${a.name}) in ${a.rules.join(", ")}: add --map ${a.name}=REAL`);
  return lines;
}

const TITLES: Record<string, string> = {
  ...Object.fromEntries(Object.entries(SEED_TABLES).map(([k, v]) => [k, v.title])),
  "000-mobility": "Seed 000: mobility (hairpin on the reverse proxy, push notifications)",
  "edgesim-extras": "edgesim's own additions, not in any seed (SIP over WebSocket for sip.js)",
};

/** A selector's addresses as printed: whole prefixes ("127.10.0.0/16"), never the model's "127.10.". */
function addressesOf(s: Selector): string[] {
  return s.addresses.map(cidr);
}

function hosts(s: Selector, rule: FirewallRule, view: AddressView): string {
  return s.addresses.length ? `${s.label} [${s.addresses.map((a) => shown(view, rule, a)).join(" ")}]` : s.label;
}

/** Rules grouped by the seed table they reproduce, in the seeds' order. */
export function groupByTable(rules: FirewallRule[]): [string, FirewallRule[]][] {
  const groups = new Map<string, FirewallRule[]>();
  for (const r of rules) {
    const t = r.seed?.table ?? "000-mobility";
    groups.set(t, [...(groups.get(t) ?? []), r]);
  }
  return [...groups.entries()];
}

export function formatPortsTable(p: PortPlan, notes: NotesLanguage = "en", view: AddressView = SANDBOX): string {
  const parts = [`Firewall rules for topology '${p.topology}' (PORT-5: only what the enabled features need)`, ...addressNotes(view), ""];
  parts.push(formatTable(["feature", "enabled", "why"], p.features.map((f) => [f.feature, f.enabled ? "yes" : "no", f.why])), "");
  for (const [table, rules] of groupByTable(p.rules)) {
    parts.push(`${TITLES[table] ?? table} - ${rules[0]!.firewall} firewall`);
    parts.push(
      formatTable(
        ["id", "dir", "role/protocol/port", "source", "destination", "note", "rules"],
        rules.map((r) => [r.id, r.direction === "inbound" ? "in" : "out", r.label, notes === "seed" && r.seed?.source ? r.seed.source : hosts(r.source, r, view), notes === "seed" && r.seed?.destination ? r.seed.destination : hosts(r.destination, r, view), notes === "seed" ? r.seed?.note ?? r.note : r.note, r.rules.join(",")]),
      ),
      "",
    );
  }
  return parts.join("\n");
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV: in the real view a last column names the sandbox addresses a row still carries (empty: all real). */
export function formatPortsCsv(p: PortPlan, view: AddressView = SANDBOX): string {
  const real = view.kind === "real" ? view.real : undefined;
  const head = ["table", "row", "id", "firewall", "direction", "protocol", "ports", "label", "source", "source_addresses", "destination", "destination_addresses", "feature", "rules", "note", "seed_note", ...(real ? ["unmapped_sandbox_addresses"] : [])];
  const rows = p.rules.map((r) => [r.seed?.table ?? "", String(r.seed?.row ?? ""), r.id, r.firewall, r.direction, r.protocol, r.ports[0] === r.ports[1] ? String(r.ports[0]) : r.ports.join("-"), r.label, r.source.label, addressesOf(r.source).join(" "), r.destination.label, addressesOf(r.destination).join(" "), r.feature, r.rules.join(" "), r.note, r.seed?.note ?? "", ...(real ? [(real.unmappedRules.get(r.id) ?? []).map(cidr).join(" ")] : [])]);
  return [head, ...rows].map((r) => r.map(csvCell).join(",")).join("\n");
}

export function formatPortsJson(p: PortPlan, view: AddressView = SANDBOX): string {
  const zones = Object.fromEntries(Object.entries(p.zones).map(([z, prefix]) => [z, cidr(prefix)]));
  const real = view.kind === "real" ? view.real : undefined;
  const unmappedOf = (r: FirewallRule) => (real?.unmappedRules.get(r.id) ?? []).map(cidr);
  const rules = p.rules.map((r) => ({
    ...r,
    source: { ...r.source, addresses: addressesOf(r.source) },
    destination: { ...r.destination, addresses: addressesOf(r.destination) },
    ...(real ? { unmappedSandboxAddresses: unmappedOf(r) } : {}),
  }));
  if (view.kind === "sandbox") return JSON.stringify({ topology: p.topology, features: p.features, zones, rules }, null, 2);
  const realZones = Object.fromEntries(Object.entries(zones).map(([z, sandbox]) => [z, { sandbox, real: view.zones[z] ?? null }]));
  const unmapped = view.real.unmapped.map((a) => ({ sandbox: cidr(a.sandbox), name: a.name, rules: a.rules }));
  return JSON.stringify({ topology: p.topology, addresses: "real", features: p.features, zones: realZones, unmapped, rules }, null, 2);
}

export type { SeedTableId };
