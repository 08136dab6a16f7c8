/**
 * The minimal firewall rule set of a topology (PORT-5): the seed rows whose
 * feature is enabled, with their symbolic hosts resolved against the address
 * plan. With the default topology this reproduces the tables of seeds 002 and
 * 004 row for row (PORT-1..PORT-4). The catalogue (every feature's rows) lets a
 * drop name the rule that would have passed it.
 */
import type { FirewallModel, FirewallRule, FwZone, HairpinMode, Selector } from "../../edge/firewall/types.ts";
import type { Topology } from "../topology/schema.ts";
import { buildAddressPlan, type AddressPlan } from "../world/address-plan.ts";
import { deriveFeatures, type FeatureState } from "./features.ts";
import { RULE_TEMPLATES, type Feature, type HostSymbol } from "./port-rows.ts";
import { SEED_TABLES } from "./seed-tables.ts";

export interface PortPlan {
  topology: string;
  features: FeatureState[];
  zones: Record<FwZone, string>;
  rules: FirewallRule[];
  catalogue: FirewallRule[];
}

export function zonePrefixes(t: Topology): Record<FwZone, string> {
  const p = (cidr: string) => cidr.split(".").slice(0, 2).join(".") + ".";
  const a = t.addressing;
  return { internet: p(a.internet), perimeterExternal: p(a.perimeterExternal), perimeterInternal: p(a.perimeterInternal), internal: p(a.internal) };
}

function resolveSymbol(sym: HostSymbol, t: Topology, plan: AddressPlan, zones: Record<FwZone, string>): Selector {
  const hlb = t.organisation.edgePool.loadBalancing === "hlb";
  const nodes = (role: string) => plan.find((e) => e.role === role && !e.vip && e.role !== "client").map((e) => e.address);
  const vipOr = (host: string, role: string) => (hlb ? [plan.byHost(host).address] : nodes(role));
  const fe = plan.find((e) => e.role === "frontend" && !e.vip).map((e) => e.address);
  switch (sym) {
    case "any": return { label: "Any", addresses: [] };
    case "access-nodes": return { label: "Edge Server Access Edge service public IP addresses", addresses: nodes("access") };
    case "av-nodes": return { label: "Edge Server A/V Edge service public IP addresses", addresses: nodes("av") };
    case "edge-internal-nodes": return { label: "Edge Server internal interfaces", addresses: nodes("edge-internal") };
    case "access-vip": return { label: hlb ? "Access Edge service public VIP (XMPP proxy shares it)" : "Access Edge service public IP addresses (DNS LB)", addresses: vipOr("vip-access", "access") };
    case "webconf-vip": return { label: hlb ? "Web Conferencing Edge service public VIP" : "Web Conferencing Edge public IP addresses (DNS LB)", addresses: vipOr("vip-webconf", "webconf") };
    case "av-vip": return { label: hlb ? "A/V Edge service public VIP" : "A/V Edge public IP addresses (DNS LB)", addresses: vipOr("vip-av", "av") };
    case "internal-vip": return { label: hlb ? "Edge Server internal VIP interface" : "Edge Server internal interfaces (DNS LB)", addresses: vipOr("vip-internal", "edge-internal") };
    case "frontend-any": return { label: "Any, defined as the Front End Servers / pool", addresses: fe };
    // The reverse proxy publishes to the front-end HLB's external web services VIP, never to a server (MOB-5).
    case "frontend": return { label: "Front End pool external web services VIP (seed 004: Front End Servers, Front End pool, Director, Director pool)", addresses: [plan.byHost("vip-web-external").address] };
    case "rp-external": return { label: "Reverse proxy listener (external interface)", addresses: [plan.byHost("reverse-proxy", "external").address] };
    case "rp-internal": return { label: "Reverse proxy internal interface", addresses: [plan.byHost("reverse-proxy", "internal").address] };
    case "owa": return { label: "Office Web Apps for conferencing (not in the topology: any internal address)", addresses: [zones.internal] };
    case "internal-clients": return { label: "Internal clients (corporate network and Wi-Fi)", addresses: [zones.internal] };
  }
}

/** The machine's own loopback source: real peers that cannot bind a planned address (Prosody s2s, sip.js, dig) are on the internet. */
export const INTERNET_ALIASES: readonly string[] = ["127.0.0.1"];

export function computePortPlan(t: Topology, overrides: Partial<Record<Feature, boolean>> = {}): PortPlan {
  const plan = buildAddressPlan(t);
  const zones = zonePrefixes(t);
  const features = deriveFeatures(t, overrides);
  const on = new Set(features.filter((f) => f.enabled).map((f) => f.feature));
  const catalogue: FirewallRule[] = RULE_TEMPLATES.map((r) => {
    const seedRow = r.table === "000-mobility" || r.table === "edgesim-extras" ? undefined : SEED_TABLES[r.table].rows[r.row - 1];
    return {
      id: r.id, firewall: r.firewall, direction: r.direction, protocol: r.protocol, ports: r.ports, label: r.label,
      source: resolveSymbol(r.source, t, plan, zones), destination: resolveSymbol(r.destination, t, plan, zones),
      note: r.note, feature: r.feature, rules: r.rules,
      seed: seedRow ? { table: r.table, row: r.row, source: seedRow[1], destination: seedRow[2], note: seedRow[3] } : { table: r.table, row: 0, source: "", destination: "", note: "" },
    };
  });
  return { topology: t.name, features, zones, catalogue, rules: catalogue.filter((r) => on.has(r.feature as Feature)) };
}

/** The model the gate enforces: the computed rules, with the catalogue to name what is missing. */
export function firewallModel(p: PortPlan, hairpin: HairpinMode = "reverse-proxy"): FirewallModel {
  return { zones: p.zones, rules: [...p.rules], catalogue: p.catalogue, hairpin, internetAliases: [...INTERNET_ALIASES] };
}
