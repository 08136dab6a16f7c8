/**
 * Configuration errors the product refuses (or that would make the edge refuse
 * everything), each with the rule ID and the field path
 * (`federation.allowedDomains[2].Identity`) so a loader can point at file:line.
 */
import type { FederationConfig } from "./config.ts";
import { GLOBAL_POLICY_IDENTITY } from "./config.ts";
import { normalizeFqdn, parseSipAddress } from "./domains.ts";

export interface ConfigProblem {
  rule: string;
  /** Dotted path from the root, e.g. federation.hostingProviders[1].ProxyFqdn. */
  path: string;
  message: string;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const FQDN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function fqdnProblem(value: string, rule: string, path: string, what: string): ConfigProblem | undefined {
  const name = value.trim().replace(/\.$/, "");
  if (IPV4.test(name) || name.includes(":")) return { rule, path, message: `${what} must be an FQDN, not an IP address ("${value}")` };
  if (!FQDN.test(name)) return { rule, path, message: `${what} is not a valid FQDN ("${value}")` };
  return undefined;
}

/** Reports every entry whose key repeats an earlier one, pointing at the later entry. */
function duplicates<T>(items: { item: T; path: string }[], key: (item: T) => string): { path: string; firstPath: string; value: string }[] {
  const seen = new Map<string, string>();
  const found: { path: string; firstPath: string; value: string }[] = [];
  for (const { item, path } of items) {
    const value = key(item);
    const firstPath = seen.get(value);
    if (firstPath !== undefined) found.push({ path, firstPath, value });
    else seen.set(value, path);
  }
  return found;
}

function domainListProblems(config: FederationConfig, root: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const own = new Set(config.organisation.sipDomains.map(normalizeFqdn));
  const allowed = config.allowedDomains.map((item, i) => ({ item, path: `${root}.allowedDomains[${i}].Identity` }));
  const blocked = config.blockedDomains.map((item, i) => ({ item, path: `${root}.blockedDomains[${i}].Identity` }));
  for (const d of duplicates(allowed, (a) => normalizeFqdn(a.Identity))) problems.push({ rule: "FED-3", path: d.path, message: `${d.value} is already on the allow list at ${d.firstPath}` });
  for (const d of duplicates(blocked, (b) => normalizeFqdn(b.Identity))) problems.push({ rule: "FED-6", path: d.path, message: `${d.value} is already on the block list at ${d.firstPath}` });
  for (const d of duplicates([...allowed, ...blocked], (e) => normalizeFqdn(e.Identity))) {
    if (d.firstPath.includes(".allowedDomains[") && d.path.includes(".blockedDomains[")) {
      problems.push({ rule: "FED-6", path: d.path, message: `${d.value} is on both the allow list (${d.firstPath}) and the block list` });
    }
  }
  for (const { item, path } of [...allowed, ...blocked]) {
    if (own.has(normalizeFqdn(item.Identity))) problems.push({ rule: "FED-10", path, message: `${item.Identity} is one of our own SIP domains, not a federated partner` });
    const bad = fqdnProblem(item.Identity, "FED-3", path, "domain");
    if (bad) problems.push(bad);
  }
  config.allowedDomains.forEach((entry, i) => {
    const bad = entry.ProxyFqdn === undefined ? undefined : fqdnProblem(entry.ProxyFqdn, "FED-4", `${root}.allowedDomains[${i}].ProxyFqdn`, "ProxyFqdn");
    if (bad) problems.push(bad);
  });
  return problems;
}

function providerProblems(config: FederationConfig, root: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const providers = [
    ...config.hostingProviders.map((p, i) => ({ item: p, base: `${root}.hostingProviders[${i}]` })),
    ...config.publicProviders.map((p, i) => ({ item: p, base: `${root}.publicProviders[${i}]` })),
  ];
  const byIdentity = providers.map(({ item, base }) => ({ item, path: `${base}.Identity` }));
  const byProxy = providers.map(({ item, base }) => ({ item, path: `${base}.ProxyFqdn` }));
  for (const d of duplicates(byIdentity, (p) => p.Identity.trim().toLowerCase())) problems.push({ rule: "FED-5", path: d.path, message: `provider Identity ${d.value} is already used at ${d.firstPath} (unique across hosting and public providers)` });
  for (const d of duplicates(byProxy, (p) => normalizeFqdn(p.ProxyFqdn))) problems.push({ rule: "FED-5", path: d.path, message: `ProxyFqdn ${d.value} is already used at ${d.firstPath} (unique across hosting and public providers)` });
  for (const { item, base } of providers) {
    const bad = fqdnProblem(item.ProxyFqdn, "FED-5", `${base}.ProxyFqdn`, "ProxyFqdn");
    if (bad) problems.push(bad);
    if (config.accessEdge.RoutingMethod === "UseDefaultRouting") {
      problems.push({ rule: "FED-8", path: base, message: `provider ${item.Identity} (FED-5) cannot be used with UseDefaultRouting: delete providers or use UseDnsSrvRouting` });
    }
  }
  return problems;
}

function accessEdgeProblems(config: FederationConfig, root: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const edge = config.accessEdge;
  const base = `${root}.accessEdge`;
  if (edge.RoutingMethod === "UseDefaultRouting") {
    if (!edge.DefaultRouteFqdn) problems.push({ rule: "FED-8", path: `${base}.DefaultRouteFqdn`, message: "UseDefaultRouting requires DefaultRouteFqdn" });
    else {
      const bad = fqdnProblem(edge.DefaultRouteFqdn, "FED-8", `${base}.DefaultRouteFqdn`, "DefaultRouteFqdn");
      if (bad) problems.push(bad);
    }
    if (edge.EnablePartnerDiscovery) problems.push({ rule: "FED-8", path: `${base}.EnablePartnerDiscovery`, message: "partner discovery (FED-2) exists only with UseDnsSrvRouting" });
  }
  const positive: (keyof typeof edge)[] = ["DiscoveredPartnerStandardRate", "MaxContactsPerDiscoveredPartner", "DiscoveredPartnerReportPeriodMinutes"];
  for (const field of positive) {
    const value = edge[field];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) problems.push({ rule: "FED-11", path: `${base}.${field}`, message: `${field} must be a positive integer (UInt32), got ${String(value)}` });
  }
  return problems;
}

function organisationProblems(config: FederationConfig, root: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const policies = config.externalAccessPolicies.map((item, i) => ({ item, path: `${root}.externalAccessPolicies[${i}].Identity` }));
  for (const d of duplicates(policies, (p) => p.Identity.toLowerCase())) problems.push({ rule: "FED-9", path: d.path, message: `policy ${d.value} is already defined at ${d.firstPath}` });
  const known = new Set(config.externalAccessPolicies.map((p) => p.Identity.toLowerCase()));
  const own = new Set(config.organisation.sipDomains.map(normalizeFqdn));
  if (own.size === 0) problems.push({ rule: "FED-10", path: `${root}.organisation.sipDomains`, message: "no SIP domains: no federated request could be addressed to us" });
  config.organisation.users.forEach((user, i) => {
    const identity = user.policy ?? GLOBAL_POLICY_IDENTITY;
    if (!known.has(identity.toLowerCase())) problems.push({ rule: "FED-9", path: `${root}.organisation.users[${i}].policy`, message: `external access policy ${identity} does not exist` });
    const address = parseSipAddress(user.uri);
    if (!address) problems.push({ rule: "FED-9", path: `${root}.organisation.users[${i}].uri`, message: `${user.uri} is not a sip:user@domain URI` });
    else if (!own.has(address.domain)) problems.push({ rule: "FED-9", path: `${root}.organisation.users[${i}].uri`, message: `${user.uri} is not in one of our SIP domains` });
  });
  const xmpp = config.xmppAllowedPartners.map((item, i) => ({ item, path: `${root}.xmppAllowedPartners[${i}].Identity` }));
  for (const d of duplicates(xmpp, (p) => normalizeFqdn(p.Identity))) problems.push({ rule: "XMPP-2", path: d.path, message: `XMPP partner ${d.value} is already listed at ${d.firstPath}` });
  return problems;
}

/** Every problem in the configuration; empty when it is consistent. `root` prefixes every path. */
export function validateFederationConfig(config: FederationConfig, root: string = "federation"): ConfigProblem[] {
  return [...accessEdgeProblems(config, root), ...domainListProblems(config, root), ...providerProblems(config, root), ...organisationProblems(config, root)];
}
