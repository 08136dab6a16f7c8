/**
 * Cross-field checks the schema alone cannot express. Each problem carries the
 * field path (mapped to file:line by load.ts) and the rule that forbids it.
 * checkTopology: errors (the topology is refused). topologyWarnings: what the topology
 * may say but the product did not support; edgesim runs it as written and
 * `edgesim validate` says so.
 */
import type { Topology } from "./schema.ts";
import { ZONES } from "./schema.ts";
import type { FieldPath } from "./config-error.ts";
import { validateFederationConfig } from "../../edge/policy/config.ts";
import { federationConfigFromTopology, topologyPathOfPolicyProblem } from "./federation-config.ts";
import { resolveRealAddresses } from "../net/real-addresses.ts";

export interface TopologyProblem {
  path: FieldPath;
  message: string;
  rule?: string;
}

export function checkTopology(t: Topology): TopologyProblem[] {
  return [...checkFederation(t), ...checkOrganisation(t), ...checkPartners(t), ...checkAddressing(t), ...checkRealAddresses(t)];
}

/** The federation rules (FED-3/5/6/8/9/10/11, XMPP-2) are the policy engine's own validator's. */
function checkFederation(t: Topology): TopologyProblem[] {
  return validateFederationConfig(federationConfigFromTopology(t)).map((p) => ({ path: topologyPathOfPolicyProblem(p.path), message: p.message, rule: p.rule }));
}

export function topologyWarnings(t: Topology): TopologyProblem[] {
  return [...dnsLoadBalancedOcsPools(t)];
}

/** Seed 003: OCS 2007 and 2007 R2 are not aware of DNS load balancing; their edge pools sat behind a hardware load balancer (DNS-5). */
function dnsLoadBalancedOcsPools(t: Topology): TopologyProblem[] {
  const out: TopologyProblem[] = [];
  t.partners.forEach((p, i) => {
    if ((p.product === "ocs2007" || p.product === "ocs2007r2") && p.loadBalancing === "dns" && p.edges.length > 1)
      out.push({
        path: ["partners", i, "loadBalancing"],
        message: `${p.domain} runs ${p.product}, which did not support DNS load balancing of its own edge pool (a real one sits behind a hardware load balancer); edgesim lists its ${p.edges.length} edges in DNS as written`,
        rule: "DNS-5",
      });
  });
  return out;
}

function checkOrganisation(t: Topology): TopologyProblem[] {
  const o = t.organisation;
  const out: TopologyProblem[] = [];
  const seenUsers = new Set<string>();
  o.users.forEach((u, i) => {
    if (seenUsers.has(u.uri.toLowerCase())) out.push({ path: ["organisation", "users", i, "uri"], message: `${u.uri} is listed twice` });
    seenUsers.add(u.uri.toLowerCase());
  });
  o.edgePool.servers.forEach((s, i) => {
    if (o.edgePool.servers.indexOf(s) !== i) out.push({ path: ["organisation", "edgePool", "servers", i], message: `edge server '${s}' is listed twice` });
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

/** realAddresses: every sandbox side names something of the plan, once (issue 14, item 5). */
function checkRealAddresses(t: Topology): TopologyProblem[] {
  if (t.realAddresses.length === 0) return [];
  const out: TopologyProblem[] = [];
  const seen = new Map<string, number>();
  t.realAddresses.forEach((e, i) => {
    const other = seen.get(e.sandbox);
    if (other !== undefined) out.push({ path: ["realAddresses", i, "sandbox"], message: `${e.sandbox} is already mapped at realAddresses[${other}]` });
    seen.set(e.sandbox, i);
  });
  let resolved;
  try {
    resolved = resolveRealAddresses(t, t.realAddresses);
  } catch {
    return out; // The plan itself cannot be built: the other checks say why.
  }
  for (const p of resolved.problems) out.push({ path: ["realAddresses", p.index, "sandbox"], message: p.message });
  return out;
}
