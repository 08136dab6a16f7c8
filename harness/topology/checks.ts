/**
 * Cross-field checks the schema alone cannot express. Each problem carries the
 * field path (mapped to file:line by load.ts) and the rule that forbids it.
 */
import type { Topology } from "./schema.ts";
import { ZONES } from "./schema.ts";
import type { FieldPath } from "./config-error.ts";

export interface TopologyProblem {
  path: FieldPath;
  message: string;
  rule?: string;
}

export function checkTopology(t: Topology): TopologyProblem[] {
  return [...checkFederation(t), ...checkOrganisation(t), ...checkPartners(t), ...checkAddressing(t)];
}

function checkFederation(t: Topology): TopologyProblem[] {
  const f = t.federation;
  const out: TopologyProblem[] = [];
  const blocked = new Set(f.blockedDomains.map((d) => d.Identity.toLowerCase()));
  f.allowedDomains.forEach((d, i) => {
    if (blocked.has(d.Identity.toLowerCase()))
      out.push({ path: ["federation", "allowedDomains", i, "Identity"], message: `${d.Identity} is on the allow list and the block list at once`, rule: "FED-6" });
  });
  const providers = [
    ...f.hostingProviders.map((p, i) => ({ p, path: ["federation", "hostingProviders", i] as FieldPath })),
    ...f.publicProviders.map((p, i) => ({ p, path: ["federation", "publicProviders", i] as FieldPath })),
  ];
  const seenId = new Map<string, string>();
  const seenProxy = new Map<string, string>();
  for (const { p, path } of providers) {
    const id = p.Identity.toLowerCase();
    const proxy = p.ProxyFqdn.toLowerCase();
    if (seenId.has(id)) out.push({ path: [...path, "Identity"], message: `provider Identity '${p.Identity}' is already used by ${seenId.get(id)}`, rule: "FED-5" });
    if (seenProxy.has(proxy)) out.push({ path: [...path, "ProxyFqdn"], message: `ProxyFqdn ${p.ProxyFqdn} is already used by ${seenProxy.get(proxy)}`, rule: "FED-5" });
    seenId.set(id, describe(path));
    seenProxy.set(proxy, describe(path));
  }
  if (f.RoutingMethod === "UseDefaultRouting") {
    if (!f.DefaultRouteFqdn) out.push({ path: ["federation", "RoutingMethod"], message: "UseDefaultRouting needs a DefaultRouteFqdn", rule: "FED-8" });
    for (const { p, path } of providers)
      if (p.Enabled) out.push({ path, message: `provider '${p.Identity}' cannot be used with UseDefaultRouting`, rule: "FED-5" });
    if (f.EnablePartnerDiscovery)
      out.push({ path: ["federation", "EnablePartnerDiscovery"], message: "partner discovery needs UseDnsSrvRouting", rule: "FED-8" });
  }
  const xmppDomains = new Set<string>();
  f.xmppAllowedPartners.forEach((x, i) => {
    if (xmppDomains.has(x.Identity)) out.push({ path: ["federation", "xmppAllowedPartners", i, "Identity"], message: `${x.Identity} is listed twice`, rule: "XMPP-2" });
    xmppDomains.add(x.Identity);
  });
  return out;
}

function checkOrganisation(t: Topology): TopologyProblem[] {
  const o = t.organisation;
  const out: TopologyProblem[] = [];
  const policies = new Set(o.externalAccessPolicies.map((p) => p.Identity));
  policies.add("Global"); // the product always has a Global policy (all access off unless configured)
  const ours = new Set(o.sipDomains.map((d) => d.toLowerCase()));
  const seenUsers = new Set<string>();
  o.users.forEach((u, i) => {
    const domain = u.uri.split("@")[1]!.toLowerCase();
    if (!ours.has(domain)) out.push({ path: ["organisation", "users", i, "uri"], message: `${u.uri} is not in one of our SIP domains (${[...ours].join(", ")})` });
    if (!policies.has(u.policy)) out.push({ path: ["organisation", "users", i, "policy"], message: `no external access policy named '${u.policy}'`, rule: "FED-9" });
    if (seenUsers.has(u.uri.toLowerCase())) out.push({ path: ["organisation", "users", i, "uri"], message: `${u.uri} is listed twice` });
    seenUsers.add(u.uri.toLowerCase());
  });
  const servers = o.edgePool.servers;
  servers.forEach((s, i) => {
    if (servers.indexOf(s) !== i) out.push({ path: ["organisation", "edgePool", "servers", i], message: `edge server '${s}' is listed twice` });
  });
  return out;
}

function checkPartners(t: Topology): TopologyProblem[] {
  const out: TopologyProblem[] = [];
  const ours = new Set(t.organisation.sipDomains.map((d) => d.toLowerCase()));
  const seen = new Map<string, number>();
  const fqdns = new Map<string, string>();
  t.partners.forEach((p, i) => {
    const path: FieldPath = ["partners", i];
    if (ours.has(p.domain)) out.push({ path: [...path, "domain"], message: `${p.domain} is one of our own SIP domains` });
    if (seen.has(p.domain)) out.push({ path: [...path, "domain"], message: `partner ${p.domain} is already described at partners[${seen.get(p.domain)}]` });
    seen.set(p.domain, i);
    if (p.loadBalancing === "hlb" && !p.vipFqdn) out.push({ path: [...path, "vipFqdn"], message: "loadBalancing hlb needs the VIP's FQDN", rule: "DNS-5" });
    if (p.hostedDomains.length > 0 && p.product !== "hostingProvider" && p.product !== "publicIm")
      out.push({ path: [...path, "hostedDomains"], message: `only a hosting provider or public IM provider hosts other domains, not ${p.product}`, rule: "FED-5" });
    const served = new Set([p.domain, ...p.hostedDomains]);
    p.users.forEach((u, j) => {
      const d = u.split("@")[1]!.toLowerCase();
      if (!served.has(d)) out.push({ path: [...path, "users", j], message: `${u} is not in a domain ${p.domain} serves (${[...served].join(", ")})` });
    });
    p.edges.forEach((e, j) => {
      const owner = fqdns.get(e.fqdn);
      if (owner) out.push({ path: [...path, "edges", j, "fqdn"], message: `${e.fqdn} is already the FQDN of ${owner}: two hosts cannot share one name` });
      fqdns.set(e.fqdn, `${p.domain} ${e.name}`);
    });
  });
  return out;
}

function checkAddressing(t: Topology): TopologyProblem[] {
  const seen = new Map<string, string>();
  const out: TopologyProblem[] = [];
  for (const zone of ZONES) {
    const range = t.addressing[zone];
    const other = seen.get(range);
    if (other) out.push({ path: ["addressing", zone], message: `${range} is already the ${other} zone: two zones (and so two hosts) would share addresses` });
    seen.set(range, zone);
  }
  return out;
}

function describe(path: FieldPath): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(/\.\[/g, "[");
}
