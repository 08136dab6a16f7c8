/**
 * `edgesim diff BEFORE AFTER`: the matrix cells whose verdict changes between two
 * topologies, each with the rule chain before and after (FED-12). The same
 * people are compared on both sides: one representative per pair (policy and
 * per-user facts before, the same after), so a user moved from one policy to
 * another is a subject of its own (FED-9), and users added or removed show up.
 */
import type { Topology } from "../topology/schema.ts";
import { prepareMatrixContext } from "../matrix/context.ts";
import { cellsFor, matrixDomains } from "../matrix/matrix.ts";
import { cellKey, type MatrixCell, type MatrixSubject } from "../matrix/cells.ts";
import { GLOBAL_POLICY_IDENTITY } from "../../edge/policy/index.ts";

export type ChangeKind = "verdict" | "reason" | "added" | "removed";

export interface CellSide {
  allowed: boolean;
  /** Allowed and reachable (DNS-1/DNS-3): what the live edge delivers. */
  deliverable: boolean;
  rule: string;
  rules: string[];
  status?: number;
  policy: string;
  cell: MatrixCell;
}

export interface CellChange {
  kind: ChangeKind;
  user: string;
  partner: string;
  direction: MatrixCell["direction"];
  modality: MatrixCell["modality"];
  /** How many users this representative stands for. */
  represents: number;
  before?: CellSide;
  after?: CellSide;
}

export interface DiffOptions {
  allUsers?: boolean;
}

export interface TopologyDiff {
  before: string;
  after: string;
  cellsCompared: number;
  changes: CellChange[];
}

type User = Topology["organisation"]["users"][number];

function key(u: User | undefined): string {
  if (!u) return "-";
  return `${u.policy.toLowerCase()}|${u.homedOnSba}|${u.contacts.map((c) => c.toLowerCase()).sort().join(",")}`;
}

/** One user per (before, after) behaviour pair; every user with --all-users. */
export function diffSubjects(before: Topology, after: Topology, o: DiffOptions): MatrixSubject[] {
  const b = new Map(before.organisation.users.map((u) => [u.uri.toLowerCase(), u]));
  const a = new Map(after.organisation.users.map((u) => [u.uri.toLowerCase(), u]));
  const subjects = new Map<string, MatrixSubject>();
  for (const uri of new Set([...b.keys(), ...a.keys()])) {
    const pair = o.allUsers ? uri : `${key(b.get(uri))}>${key(a.get(uri))}`;
    const s = subjects.get(pair);
    if (s) s.represents++;
    else subjects.set(pair, { user: uri, policy: (a.get(uri) ?? b.get(uri))?.policy ?? GLOBAL_POLICY_IDENTITY, represents: 1 });
  }
  return [...subjects.values()];
}

function side(c: MatrixCell | undefined): CellSide | undefined {
  if (!c) return undefined;
  return { allowed: c.allowed, deliverable: c.deliverable, rule: c.rule, rules: c.rules, ...(c.status ? { status: c.status } : {}), policy: c.policy, cell: c };
}

function cellsOf(t: Topology, subjects: MatrixSubject[], domains: string[]): Map<string, MatrixCell> {
  const present = new Map(t.organisation.users.map((u) => [u.uri.toLowerCase(), u]));
  const here = subjects.filter((s) => present.has(s.user)).map((s) => ({ ...s, policy: present.get(s.user)!.policy || GLOBAL_POLICY_IDENTITY }));
  const ctx = prepareMatrixContext(t, new Set(here.map((s) => s.user)));
  const out = new Map<string, MatrixCell>();
  for (const s of here) for (const d of domains) for (const c of cellsFor(ctx, s, d)) out.set(cellKey(c), c);
  return out;
}

export function diffTopologies(before: Topology, after: Topology, o: DiffOptions = {}): TopologyDiff {
  const subjects = diffSubjects(before, after, o);
  const represents = new Map(subjects.map((s) => [s.user, s.represents]));
  const domains = [...new Set([...matrixDomains(before), ...matrixDomains(after)])].sort();
  const b = cellsOf(before, subjects, domains);
  const a = cellsOf(after, subjects, domains);
  const changes: CellChange[] = [];
  for (const k of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(k);
    const y = a.get(k);
    const kind: ChangeKind | undefined = !x ? "added" : !y ? "removed" : x.allowed !== y.allowed || x.deliverable !== y.deliverable ? "verdict" : x.rule !== y.rule || x.status !== y.status ? "reason" : undefined;
    if (!kind) continue;
    const c = (y ?? x)!;
    const before_ = side(x);
    const after_ = side(y);
    changes.push({ kind, user: c.user, partner: c.partner, direction: c.direction, modality: c.modality, represents: represents.get(c.user) ?? 1, ...(before_ ? { before: before_ } : {}), ...(after_ ? { after: after_ } : {}) });
  }
  changes.sort((p, q) => p.partner.localeCompare(q.partner) || p.user.localeCompare(q.user) || p.modality.localeCompare(q.modality) || p.direction.localeCompare(q.direction));
  return { before: before.name, after: after.name, cellsCompared: new Set([...b.keys(), ...a.keys()]).size, changes };
}
