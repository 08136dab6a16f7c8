/**
 * What every cell of a matrix needs, computed once per topology: the policy
 * engine's configuration (from harness/topology/federation-config.ts), the
 * external DNS zone and the partners' certificate names. The per-cell request is
 * the one harness/explain/offline.ts builds for `edgesim explain` (a test checks
 * that both give the same verdict for every cell); computing the shared parts
 * once is what lets a 2,000-domain tenant's matrix finish in seconds.
 */
import { decide, decideXmppPartner, federationSrvName, type FederationConfig, type PolicyRequest, type Verdict } from "../../edge/policy/index.ts";
import type { Topology } from "../topology/schema.ts";
import type { Partner } from "../topology/schema-partners.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import { buildAddressPlan } from "../world/address-plan.ts";
import { buildZones } from "../dns/zones.ts";
import type { RecordSet, SrvRecordData } from "../dns/records.ts";
import { planCertificates } from "../pki/plan.ts";
import { partnerServing } from "../explain/offline.ts";

export interface MatrixContext {
  topology: Topology;
  config: FederationConfig;
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
  const zones = buildZones(t, buildAddressPlan(t));
  const certNames = new Map<string, string[]>();
  const certs = new Map(planCertificates(t).map((r) => [r.name, r]));
  for (const p of t.partners) {
    const req = certs.get(`partner:${p.domain}:${p.edges[0]?.name}`);
    certNames.set(p.domain, req ? [...new Set([...req.dnsNames, req.commonName])] : []);
  }
  const byDomain = new Map<string, Partner | undefined>();
  const partnerOf = (domain: string) => {
    if (!byDomain.has(domain)) byDomain.set(domain, partnerServing(t, domain));
    return byDomain.get(domain);
  };
  return { topology: t, config, external: zones.external, certNames, partnerOf };
}

/** The verdict for one SIP request between our user and a remote address, as explainOffline builds it. */
export function sipVerdict(ctx: MatrixContext, o: { direction: "outbound" | "inbound"; user: string; remote: string; method: string; now?: number }): Verdict {
  const now = o.now ?? 0;
  if (o.direction === "outbound") return decide(ctx.config, { direction: "outbound", from: o.user, to: o.remote, method: o.method, now });
  const fromDomain = o.remote.split("@")[1]!.toLowerCase();
  const partner = ctx.partnerOf(fromDomain);
  const srv = ctx.external.get(federationSrvName(fromDomain), "SRV") as SrvRecordData[];
  const request: PolicyRequest = {
    direction: "inbound", from: o.remote, to: o.user, method: o.method, now,
    peer: { certificateNames: partner ? (ctx.certNames.get(partner.domain) ?? []) : [], srvTargetsForSenderDomain: srv.map((r) => r.target) },
  };
  return decide(ctx.config, request);
}

export function xmppVerdict(ctx: MatrixContext, user: string, domain: string): Verdict {
  return decideXmppPartner(ctx.config, { localUser: user, remoteDomain: domain });
}
