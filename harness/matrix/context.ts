/**
 * What every cell of a matrix needs, computed once per topology: the policy
 * engine's configuration (from harness/topology/federation-config.ts), the
 * external DNS zone and the partners' certificate names. The per-cell request is
 * the one harness/explain/offline.ts builds for `edgesim explain` (a test checks
 * that both give the same verdict for every cell); computing the shared parts
 * once is what lets a 2,000-domain tenant's matrix finish in seconds.
 */
import { decide, federationSrvName, normalizeFqdn, type FederationConfig, type PolicyRequest, type Verdict } from "../../edge/policy/index.ts";
import { explainXmpp } from "../explain/xmpp.ts";
import { reachabilityOf, type Reachability } from "../explain/reachability.ts";
import type { Topology } from "../topology/schema.ts";
import type { Partner } from "../topology/schema-partners.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import { buildAddressPlan, type AddressPlan, type PlannedAddress } from "../world/address-plan.ts";
import { buildZones } from "../dns/zones.ts";
import type { RecordSet, SrvRecordData } from "../dns/records.ts";
import { certificatesByName, inboundRequest, partnerCertificateNames, partnerServing } from "../explain/offline.ts";

export interface MatrixContext {
  topology: Topology;
  config: FederationConfig;
  /** The configuration a verdict for this remote domain reads (see configFor). */
  configFor: (domain: string) => FederationConfig;
  external: RecordSet;
  /** partner domain -> the names its first edge's certificate carries. */
  certNames: Map<string, string[]>;
  partnerOf: (domain: string) => Partner | undefined;
}

/**
 * @param users only these of our users are put in the engine's configuration: a
 * verdict reads only the user's own entry (policy, contacts, SBA), and the
 * engine looks users up one by one.
 */
export function prepareMatrixContext(t: Topology, users?: Set<string>): MatrixContext {
  const config = federationConfigFromTopology(t);
  if (users) config.organisation.users = config.organisation.users.filter((u) => users.has(u.uri.toLowerCase()));
  const zones = buildZones(t, addressPlanOrNamesOnly(t));
  const planned = certificatesByName(t);
  const certNames = new Map(t.partners.map((p) => [p.domain, partnerCertificateNames(p, planned)]));
  const byDomain = new Map<string, Partner | undefined>();
  const partnerOf = (domain: string) => {
    if (!byDomain.has(domain)) byDomain.set(domain, partnerServing(t, domain));
    return byDomain.get(domain);
  };
  return { topology: t, config, configFor: domainSlices(config), external: zones.external, certNames, partnerOf };
}

/**
 * The engine finds allowed, blocked and XMPP entries by the remote domain's name
 * only (edge/policy/domains.ts findAllowedDomain, isBlockedDomain; xmpp-partner.ts),
 * so a verdict for domain D reads only D's entries of those lists: each domain
 * gets the configuration with just those, which keeps a 2,000-domain matrix from
 * scanning 2,000 entries per cell. Providers, policies and users stay whole. The
 * matrix test checks every cell against explainOffline, which uses the whole list.
 */
function domainSlices(config: FederationConfig): (domain: string) => FederationConfig {
  const index = <T extends { Identity: string }>(list: T[]) => {
    const m = new Map<string, T[]>();
    for (const e of list) {
      const k = normalizeFqdn(e.Identity);
      m.set(k, [...(m.get(k) ?? []), e]);
    }
    return m;
  };
  const allowed = index(config.allowedDomains);
  const blocked = index(config.blockedDomains);
  const xmpp = index(config.xmppAllowedPartners);
  const cache = new Map<string, FederationConfig>();
  return (domain) => {
    const k = normalizeFqdn(domain);
    let c = cache.get(k);
    if (!c) {
      c = { ...config, allowedDomains: allowed.get(k) ?? [], blockedDomains: blocked.get(k) ?? [], xmppAllowedPartners: xmpp.get(k) ?? [] };
      cache.set(k, c);
    }
    return c;
  };
}

/** The verdict for one SIP request between our user and a remote address, as explainOffline builds it. */
export function sipVerdict(ctx: MatrixContext, o: { direction: "outbound" | "inbound"; user: string; remote: string; method: string; now?: number }): Verdict {
  const now = o.now ?? 0;
  const remoteDomain = o.remote.split("@")[1]!.toLowerCase();
  const config = ctx.configFor(remoteDomain);
  if (o.direction === "outbound") return decide(config, { direction: "outbound", from: o.user, to: o.remote, method: o.method, now });
  const fromDomain = remoteDomain;
  const partner = ctx.partnerOf(fromDomain);
  const srv = ctx.external.get(federationSrvName(fromDomain), "SRV") as SrvRecordData[];
  const certificateNames = partner ? (ctx.certNames.get(partner.domain) ?? []) : [];
  return decide(config, inboundRequest({ from: o.remote, to: o.user, method: o.method, now }, certificateNames, srv));
}

/** The XMPP proxy's and gateway's verdict for an XMPP partner, as explain gives it (harness/explain/xmpp.ts: XMPP-1, FED-1, FED-6, XMPP-2, FED-9, XMPP-5). */
export function xmppVerdict(ctx: MatrixContext, o: { user: string; remote: string; domain: string; direction: "outbound" | "inbound" }): Verdict {
  const [from, to] = o.direction === "outbound" ? [o.user, o.remote] : [o.remote, o.user];
  const request: PolicyRequest = { direction: o.direction, from, to, method: "MESSAGE", now: 0 };
  return explainXmpp(ctx.topology, ctx.configFor(o.domain), request, o.domain, ctx.external).verdict;
}

/** Whether DNS leads to an allowed route's next hop (DNS-1, DNS-3, PIC-2), as explain reads it. */
export function reachabilityFor(ctx: MatrixContext, verdict: Verdict): Reachability | undefined {
  if (!verdict.allowed) return undefined;
  return reachabilityOf(verdict.route, ctx.external, { certificateAllowsClientAuth: !ctx.topology.organisation.edgePool.certificate.omitClientAuth });
}

/**
 * The world's address plan, or - for a tenant larger than a world can hold (the
 * plan has room for 254 users and 245 partners) - a plan with no hosts: a verdict
 * reads only the names DNS gives (SRV targets, FED-10), never an address, so the
 * matrix of a 10,000-user tenant is still exact.
 */
function addressPlanOrNamesOnly(t: Topology): AddressPlan {
  try {
    return buildAddressPlan(t);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const nowhere = (host: string): PlannedAddress => ({ host, iface: "none", zone: "internet", address: "127.0.0.1", role: "client", vip: false });
    return { entries: [], dns: { internal: "127.0.0.1", external: "127.0.0.1" }, byHost: nowhere, find: () => [] };
  }
}
