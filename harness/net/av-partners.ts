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
