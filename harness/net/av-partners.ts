/**
 * Which Lync/OCS partners the A/V rows are for (PORT-1, PORT-5): a partner adds rows
 * only when a call with it would pass the federation policy under the current
 * settings, not because it is in the topology. The verdict is the policy engine's own
 * (the offline explanation of `edgesim explain`, which builds the same request the
 * live Access Edge does): an INVITE from one of our users to the partner, or from the
 * partner to one of our users (FED-1, FED-6, FED-2..FED-5, FED-9, FED-10). A blocked
 * domain, federation turned off, or a partner reachable by no route adds nothing.
 */
import { explainOffline, type OfflineExplanation } from "../explain/offline.ts";
import type { Topology } from "../topology/schema.ts";
import type { Partner } from "../topology/schema-partners.ts";
import type { AddressPlan } from "../world/address-plan.ts";

/** The partner products with A/V federation through the A/V Edge (seed 002's notes name each). */
export const AV_PRODUCTS: readonly Partner["product"][] = ["lync2013", "lync2010", "ocs2007r2", "ocs2007"];

export interface AvPartner {
  domain: string;
  product: Partner["product"];
  /** A call with this partner passes the policy one way or the other. */
  federated: boolean;
  /** The verdict that decided it, for `edgesim ports`' "why" column. */
  why: string;
}

function verdictText(e: OfflineExplanation): string {
  const r = e.request;
  const refusal = e.verdict.refusal;
  return e.verdict.allowed
    ? `${r.from} -> ${r.to} allowed (${e.verdict.rules.join(", ")})`
    : `${r.from} -> ${r.to} refused${refusal ? ` ${refusal.status}` : ""} by ${e.verdict.rules.at(-1) ?? "the policy"}`;
}

/** The first allowed call between our users and the partner (outbound first), or the first refusal. */
function federation(t: Topology, p: Partner, now: number): { federated: boolean; why: string } {
  const ours = t.organisation.users.map((u) => u.uri);
  const theirs = p.users.length ? p.users : [`user@${p.domain}`];
  let first: OfflineExplanation | undefined;
  for (const [from, to] of [...ours.map((u) => [u, theirs[0]!] as const), ...ours.map((u) => [theirs[0]!, u] as const)]) {
    const e = explainOffline(t, from, to, "INVITE", now);
    if (e.verdict.allowed) return { federated: true, why: verdictText(e) };
    first ??= e;
  }
  return { federated: false, why: first ? verdictText(first) : "no user of ours to call from" };
}

export function avPartners(t: Topology, now = Date.now()): AvPartner[] {
  return t.partners.filter((p) => AV_PRODUCTS.includes(p.product)).map((p) => ({ domain: p.domain, product: p.product, ...federation(t, p, now) }));
}

/**
 * PORT-1: the products whose A/V Edges carry edge-to-edge media over STUN UDP 3478 (seed
 * 002's 3478-outbound note: Lync Server 2010 and later, OCS 2007 R2, Messenger). OCS 2007
 * does not: media with it needs RTP UDP 50000-59999 in and out.
 */
export const EDGE_TO_EDGE_PRODUCTS: readonly Partner["product"][] = ["lync2013", "lync2010", "ocs2007r2"];

/** The external addresses of the federated partners' edges that take edge-to-edge media on 3478 (our A/V Edges' `edgePeerPort`). */
export function edgeToEdgePeers(t: Topology, plan: AddressPlan): Set<string> {
  const federated = new Set(avPartners(t).filter((p) => p.federated && EDGE_TO_EDGE_PRODUCTS.includes(p.product)).map((p) => p.domain));
  const short = (domain: string) => domain.split(".")[0]!;
  return new Set(t.partners.filter((p) => federated.has(p.domain)).flatMap((p) => p.edges.map((e) => plan.byHost(`${short(p.domain)}-${e.name}`).address)));
}
