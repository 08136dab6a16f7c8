/**
 * `edgesim explain --matrix`: every (user, partner domain, direction, modality)
 * cell with its verdict and deciding rule. By default one representative user
 * per external access policy (FED-9: users with the same policy get the same
 * verdicts, except for FED-7 contacts and XMPP-5 SBA homing, which make a user
 * its own representative); --all-users evaluates everyone.
 */
import type { Topology } from "../topology/schema.ts";
import { GLOBAL_POLICY_IDENTITY } from "../../edge/policy/index.ts";
import { prepareMatrixContext, reachabilityFor, sipVerdict, xmppVerdict, type MatrixContext } from "./context.ts";
import { isXmppPartnerDomain } from "../explain/xmpp.ts";
import { decidingRule, type Matrix, type MatrixCell, type MatrixDirection, type MatrixSubject, type Modality } from "./cells.ts";

export interface MatrixOptions {
  allUsers?: boolean;
  /** Evaluate exactly these users (diff uses it to compare the same people on both sides). */
  users?: string[];
}

/** A user's behaviour class: policy, plus the per-user facts that change verdicts (FED-7 contacts, XMPP-5 SBA). */
function behaviourKey(u: Topology["organisation"]["users"][number]): string {
  return `${u.policy.toLowerCase()}|${u.homedOnSba}|${u.contacts.map((c) => c.toLowerCase()).sort().join(",")}`;
}

export function matrixSubjects(t: Topology, o: MatrixOptions = {}): MatrixSubject[] {
  const users = t.organisation.users;
  if (o.users) {
    const wanted = new Set(o.users.map((u) => u.toLowerCase()));
    return users.filter((u) => wanted.has(u.uri.toLowerCase())).map((u) => ({ user: u.uri.toLowerCase(), policy: u.policy || GLOBAL_POLICY_IDENTITY, represents: 1 }));
  }
  if (o.allUsers) return users.map((u) => ({ user: u.uri.toLowerCase(), policy: u.policy || GLOBAL_POLICY_IDENTITY, represents: 1 }));
  const byKey = new Map<string, MatrixSubject>();
  for (const u of users) {
    const key = behaviourKey(u);
    const s = byKey.get(key);
    if (s) s.represents++;
    else byKey.set(key, { user: u.uri.toLowerCase(), policy: u.policy || GLOBAL_POLICY_IDENTITY, represents: 1 });
  }
  return [...byKey.values()];
}

/** Every remote domain the topology names: partners, hosted domains, and the federation lists. */
export function matrixDomains(t: Topology): string[] {
  const f = t.federation;
  const ours = new Set(t.organisation.sipDomains.map((d) => d.toLowerCase()));
  const all = [
    ...t.partners.flatMap((p) => [p.domain, ...p.hostedDomains]),
    ...f.allowedDomains.map((d) => d.Identity),
    ...f.blockedDomains.map((d) => d.Identity),
    ...[...f.hostingProviders, ...f.publicProviders].flatMap((p) => p.domains),
    ...f.xmppAllowedPartners.map((x) => x.Identity),
  ].map((d) => d.toLowerCase());
  return [...new Set(all)].filter((d) => !ours.has(d)).sort();
}

function remoteUser(ctx: MatrixContext, domain: string): string {
  const p = ctx.partnerOf(domain);
  return p?.users.find((u) => u.toLowerCase().endsWith(`@${domain}`))?.toLowerCase() ?? `user@${domain}`;
}

export function cellsFor(ctx: MatrixContext, s: MatrixSubject, domain: string): MatrixCell[] {
  const partner = ctx.partnerOf(domain);
  const remote = remoteUser(ctx, domain);
  const base = { user: s.user, policy: s.policy, partner: domain, remote, ...(partner ? { product: partner.product } : {}) };
  const cell = (direction: MatrixDirection, modality: Modality, verdict: MatrixCell["verdict"]): MatrixCell => {
    // Outbound only: inbound ends at our front end (as explain has it).
    const reachability = direction === "outbound" ? reachabilityFor(ctx, verdict) : undefined;
    const unreachable = reachability && !reachability.reachable ? reachability : undefined;
    return {
      ...base, direction, modality, verdict, allowed: verdict.allowed, deliverable: verdict.allowed && !unreachable,
      ...(reachability ? { reachability } : {}),
      rule: unreachable ? unreachable.rule : decidingRule(verdict), rules: unreachable ? [...verdict.rules, unreachable.rule] : verdict.rules,
      ...(verdict.refusal ? { status: verdict.refusal.status } : unreachable?.status ? { status: unreachable.status } : {}),
    };
  };
  if (isXmppPartnerDomain(ctx.topology, domain)) return (["outbound", "inbound"] as const).map((direction) => cell(direction, "xmpp", xmppVerdict(ctx, { user: s.user, remote, domain, direction })));
  const out: MatrixCell[] = [];
  for (const [modality, method] of [["im", "MESSAGE"], ["av", "INVITE"]] as const)
    for (const direction of ["outbound", "inbound"] as const) out.push(cell(direction, modality, sipVerdict(ctx, { direction, user: s.user, remote, method })));
  return out;
}

export function buildMatrix(t: Topology, o: MatrixOptions = {}): Matrix {
  const subjects = matrixSubjects(t, o);
  const domains = matrixDomains(t);
  const ctx = prepareMatrixContext(t, new Set(subjects.map((s) => s.user)));
  const cells = subjects.flatMap((s) => domains.flatMap((d) => cellsFor(ctx, s, d)));
  return { topology: t.name, subjects, domains, cells };
}
