/**
 * `edgesim explain`: the offline verdict. Builds the same PolicyRequest the live
 * Access Edge builds (for inbound: the certificate names the partner's edge
 * presents, from the PKI plan, and the SRV targets of the sender's domain, from
 * the external DNS zone), runs the pure policy engine, and adds the DNS steps the
 * edge would take (DNS-1, DNS-5) - without sending anything. An XMPP partner gets
 * the XMPP proxy's and gateway's verdict instead (xmpp.ts), and an allowed route
 * that DNS does not lead anywhere is said to be unreachable (reachability.ts).
 */
import { connectingPartnerFailover, decide, federationSrvName, OUR_EDGE_FAILOVER, parseSipAddress, type PolicyRequest, type Verdict } from "../../edge/policy/index.ts";
import type { Topology } from "../topology/schema.ts";
import type { Partner } from "../topology/schema-partners.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import { buildAddressPlan } from "../world/address-plan.ts";
import { buildZones } from "../dns/zones.ts";
import type { RecordSet, SrvRecordData } from "../dns/records.ts";
import { planCertificates, type CertificateRequest } from "../pki/plan.ts";
import { reachabilityOf, type OwnEdge, type Reachability } from "./reachability.ts";
import { explainXmpp, isXmppPartnerDomain } from "./xmpp.ts";

export interface OfflineExplanation {
  direction: "outbound" | "inbound";
  /** sip: the Access Edge's federation rules; xmpp: the XMPP proxy's and gateway's (XMPP partners). */
  protocol: "sip" | "xmpp";
  request: PolicyRequest;
  verdict: Verdict;
  /** What the edge would look up and where it would connect, in order. */
  dnsSteps: string[];
  /** The partner organisation on the other side, when the topology describes one. */
  partner?: { domain: string; product: string };
  /** An allowed outbound route: whether DNS leads anywhere (DNS-1, DNS-3); absent for delivery to our users and refusals. */
  reachability?: Reachability;
  /** Allowed by policy and reachable: what the live edge would deliver. */
  deliverable: boolean;
  /** One line: ALLOWED, REFUSED, or ALLOWED BY POLICY BUT UNREACHABLE and why. */
  headline: string;
}

export class ExplainUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExplainUsageError";
  }
}

/** The domain of a SIP address, parsed as the policy engine parses it; a usage error otherwise. */
export function domainOf(uri: string): string {
  const address = parseSipAddress(uri);
  if (!address) throw new ExplainUsageError(`'${uri}' is not a SIP address such as alice@contoso.test`);
  return address.domain;
}

/** The partner that serves (or, FED-10, claims) a domain. */
export function partnerServing(t: Topology, domain: string): Partner | undefined {
  return (
    t.partners.find((p) => p.domain === domain || p.hostedDomains.includes(domain)) ??
    t.partners.find((p) => p.claimsDomain === domain)
  );
}

export function explainOffline(t: Topology, from: string, to: string, method = "MESSAGE", now = Date.now()): OfflineExplanation {
  const ours = new Set(t.organisation.sipDomains.map((d) => d.toLowerCase()));
  const fromDomain = domainOf(from);
  const toDomain = domainOf(to);
  const config = federationConfigFromTopology(t);
  const zones = buildZones(t, buildAddressPlan(t));
  if (!ours.has(fromDomain) && !ours.has(toDomain))
    throw new ExplainUsageError(`neither ${from} nor ${to} is in one of our SIP domains (${[...ours].join(", ")}): the Access Edge only sees traffic to or from us`);

  const outbound = ours.has(fromDomain);
  const remoteDomain = outbound ? toDomain : fromDomain;
  const partner = partnerServing(t, remoteDomain);
  const described = partner ? { partner: { domain: partner.domain, product: partner.product } } : {};
  const ownEdge: OwnEdge = { certificateAllowsClientAuth: !t.organisation.edgePool.certificate.omitClientAuth };
  if (isXmppPartnerDomain(t, remoteDomain)) {
    const request: PolicyRequest = { direction: outbound ? "outbound" : "inbound", from, to, method, now };
    const x = explainXmpp(t, config, request, remoteDomain, zones.external);
    return finish({ direction: request.direction, protocol: "xmpp", request, verdict: x.verdict, dnsSteps: x.dnsSteps, ...described }, outbound ? zones.external : undefined, ownEdge);
  }
  if (outbound) {
    const request: PolicyRequest = { direction: "outbound", from, to, method, now };
    const verdict = decide(config, request);
    return finish({ direction: "outbound", protocol: "sip", request, verdict, dnsSteps: outboundDnsSteps(verdict, zones.external), ...described }, zones.external, ownEdge);
  }

  const certNames = partner ? partnerCertificateNames(partner, certificatesByName(t)) : [];
  const srv = zones.external.get(federationSrvName(fromDomain), "SRV") as SrvRecordData[];
  const request = inboundRequest({ from, to, method, now }, certNames, srv);
  const dnsSteps = [
    partner ? `the peer is ${partner.domain}'s edge (${partner.product}); its certificate names: ${certNames.join(", ") || "(none)"}` : `no partner in the topology serves ${fromDomain}: the peer presents no known certificate`,
    srv.length ? `SRV ${federationSrvName(fromDomain)} -> ${srv.map((r) => `${r.target}:${r.port}`).join(", ")} (FED-10: the peer must be one of these)` : `SRV ${federationSrvName(fromDomain)}: no record`,
  ];
  // DNS-5: the connecting side's product decides how it treats our pool when an edge fails (the seeds are silent on hosting providers).
  if (partner && partner.product !== "hostingProvider") {
    const f = connectingPartnerFailover(partner.product, t.organisation.edgePool.loadBalancing);
    dnsSteps.push(`${f.rule}: ${f.text}`);
  }
  return finish({ direction: "inbound", protocol: "sip", request, verdict: decide(config, request), dnsSteps, ...described }, undefined, ownEdge);
}

/** Adds reachability (outbound only: inbound ends at our front end) and the headline. */
function finish(e: Omit<OfflineExplanation, "deliverable" | "headline" | "reachability">, external: RecordSet | undefined, own: OwnEdge): OfflineExplanation {
  const reachability = e.verdict.allowed && external ? reachabilityOf(e.verdict.route, external, own) : undefined;
  const deliverable = e.verdict.allowed && reachability?.reachable !== false;
  return { ...e, ...(reachability ? { reachability } : {}), deliverable, headline: headlineOf(e.verdict, reachability) };
}

/** Never ALLOWED for a route that ends in 504: allowed by policy, but unreachable, and why. */
export function headlineOf(verdict: Verdict, reachability: Reachability | undefined): string {
  if (!verdict.allowed) return `REFUSED ${verdict.refusal?.status ?? ""} by ${verdict.steps.at(-1)?.rule ?? "policy"}`.replace("  ", " ");
  if (reachability && !reachability.reachable) return `ALLOWED BY POLICY BUT UNREACHABLE${reachability.status ? ` (${reachability.status})` : ""}: ${reachability.text} [${reachability.rule}]`;
  return "ALLOWED";
}

/** The names on the certificate of a partner's first edge (the PKI plan's), which our edge reads off the peer (CERT-2). */
export function partnerCertificateNames(p: Partner, planned: ReadonlyMap<string, CertificateRequest>): string[] {
  const req = planned.get(`partner:${p.domain}:${p.edges[0]?.name}`);
  return req ? [...new Set([...req.dnsNames, req.commonName])] : [];
}

/** The PKI plan's certificate requests by name. */
export function certificatesByName(t: Topology): Map<string, CertificateRequest> {
  return new Map(planCertificates(t).map((r) => [r.name, r]));
}

/** An inbound request as our Access Edge builds it: the peer's certificate names and the sender domain's SRV targets (FED-10). */
export function inboundRequest(o: { from: string; to: string; method: string; now: number }, certificateNames: string[], srv: readonly SrvRecordData[]): PolicyRequest {
  return { direction: "inbound", ...o, peer: { certificateNames, srvTargetsForSenderDomain: srv.map((r) => r.target) } };
}

function outboundDnsSteps(verdict: Verdict, external: RecordSet): string[] {
  const route = verdict.route;
  if (!verdict.allowed || !route) return [];
  const aOf = (name: string) => external.get(name, "A").map((r) => (r.type === "A" ? r.address : "")).join(", ") || "NXDOMAIN";
  switch (route.kind) {
    case "srv": {
      const records = (external.get(route.srvName, "SRV") as SrvRecordData[]).slice().sort((a, b) => a.priority - b.priority || b.weight - a.weight);
      if (records.length === 0) return [`SRV ${route.srvName}: no record: the edge answers 504 (DNS-1)`];
      const steps = [`SRV ${route.srvName} (DNS-1, RFC 2782: lowest priority first, weighted within a priority):`];
      records.forEach((r, i) => steps.push(`  ${i + 1}. ${r.target}:${r.port} priority ${r.priority} weight ${r.weight} -> A ${aOf(r.target)}`));
      if (records.length > 1) steps.push(`DNS-1: ${OUR_EDGE_FAILOVER}`);
      return steps;
    }
    case "proxyFqdn":
      return [`${route.rule}: no SRV lookup; connect to ${route.fqdn}:${route.port} -> A ${aOf(route.fqdn)}`];
    case "provider":
      return [`${route.rule}: connect to the provider's edge ${route.fqdn} -> A ${aOf(route.fqdn)}${route.requiresClientAuthEku ? " (PIC-2: our certificate must carry clientAuth)" : ""}`];
    case "defaultRoute":
      return [`${route.rule}: every federated request goes to ${route.fqdn} -> A ${aOf(route.fqdn)}`];
    default:
      return [];
  }
}
