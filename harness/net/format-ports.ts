/** `edgesim ports` output: grouped tables, CSV, JSON (PORT-1..PORT-5). */
import { cidr } from "../../edge/firewall/nftables.ts";
import type { FirewallRule, Selector } from "../../edge/firewall/types.ts";
import { formatTable } from "../cli/table.ts";
import type { PortPlan } from "./port-plan.ts";
import { SEED_TABLES, type SeedTableId } from "./seed-tables.ts";

export type NotesLanguage = "en" | "seed";

const TITLES: Record<string, string> = {
  ...Object.fromEntries(Object.entries(SEED_TABLES).map(([k, v]) => [k, v.title])),
  "000-mobility": "Seed 000: mobility (hairpin on the reverse proxy, push notifications)",
  "edgesim-extras": "edgesim's own additions, not in any seed (SIP over WebSocket for sip.js)",
};

/** A selector's addresses as printed: whole prefixes ("127.10.0.0/16"), never the model's "127.10.". */
function addressesOf(s: Selector): string[] {
  return s.addresses.map(cidr);
}

function hosts(s: Selector): string {
  return s.addresses.length ? `${s.label} [${addressesOf(s).join(" ")}]` : s.label;
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

export function formatPortsTable(p: PortPlan, notes: NotesLanguage = "en"): string {
  const parts = [`Firewall rules for topology '${p.topology}' (PORT-5: only what the enabled features need)`, ""];
  parts.push(formatTable(["feature", "enabled", "why"], p.features.map((f) => [f.feature, f.enabled ? "yes" : "no", f.why])), "");
  for (const [table, rules] of groupByTable(p.rules)) {
    parts.push(`${TITLES[table] ?? table} - ${rules[0]!.firewall} firewall`);
    parts.push(
      formatTable(
        ["id", "dir", "role/protocol/port", "source", "destination", "note", "rules"],
        rules.map((r) => [r.id, r.direction === "inbound" ? "in" : "out", r.label, notes === "seed" && r.seed?.source ? r.seed.source : hosts(r.source), notes === "seed" && r.seed?.destination ? r.seed.destination : hosts(r.destination), notes === "seed" ? r.seed?.note ?? r.note : r.note, r.rules.join(",")]),
      ),
      "",
    );
  }
  return parts.join("\n");
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function formatPortsCsv(p: PortPlan): string {
  const head = ["table", "row", "id", "firewall", "direction", "protocol", "ports", "label", "source", "source_addresses", "destination", "destination_addresses", "feature", "rules", "note", "seed_note"];
  const rows = p.rules.map((r) => [r.seed?.table ?? "", String(r.seed?.row ?? ""), r.id, r.firewall, r.direction, r.protocol, r.ports[0] === r.ports[1] ? String(r.ports[0]) : r.ports.join("-"), r.label, r.source.label, addressesOf(r.source).join(" "), r.destination.label, addressesOf(r.destination).join(" "), r.feature, r.rules.join(" "), r.note, r.seed?.note ?? ""]);
  return [head, ...rows].map((r) => r.map(csvCell).join(",")).join("\n");
}

export function formatPortsJson(p: PortPlan): string {
  const zones = Object.fromEntries(Object.entries(p.zones).map(([z, prefix]) => [z, cidr(prefix)]));
  const rules = p.rules.map((r) => ({ ...r, source: { ...r.source, addresses: addressesOf(r.source) }, destination: { ...r.destination, addresses: addressesOf(r.destination) } }));
  return JSON.stringify({ topology: p.topology, features: p.features, zones, rules }, null, 2);
}

export type { SeedTableId };
