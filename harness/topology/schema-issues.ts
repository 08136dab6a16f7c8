/**
 * Schema problems as a person needs them: one problem per unknown field, with the
 * closest known field name when the unknown one looks like a misspelling ("did you
 * mean 'AllowFederatedUsers'?"), and a copy of the file's data with the bad parts
 * taken out so that the cross-field checks can run in the same pass.
 */
import type { z } from "zod";
import type { FieldPath } from "./config-error.ts";

export interface SchemaProblem {
  path: FieldPath;
  message: string;
}

type Issue = z.core.$ZodIssue;

/** One problem per issue; an unknown-keys issue becomes one problem per key, located at that key. */
export function schemaProblems(schema: z.ZodType, raw: unknown, issues: readonly Issue[]): SchemaProblem[] {
  return issues.flatMap((issue): SchemaProblem[] => {
    const base = plainPath(issue.path);
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ path: [...base, key], message: unknownField(key, knownKeysAt(schema, base)) }));
    if (issue.code === "invalid_type" && !hasPath(raw, base)) return [{ path: base, message: "missing: this field is required" }];
    return [{ path: base, message: issue.message }];
  });
}

function unknownField(key: string, known: string[]): string {
  const guess = closestName(key, known);
  if (guess) return `unknown field '${key}': did you mean '${guess}'?`;
  return known.length > 0 ? `unknown field '${key}' (known here: ${known.join(", ")})` : `unknown field '${key}'`;
}

/**
 * The data with every unknown key and every invalid value removed, for the
 * cross-field checks: a removed value that has a default takes it, so the checks
 * see everything else of the file. Undefined when that is not enough to satisfy the
 * schema (a required value was wrong); the checks then wait for the next run.
 */
export function withoutBadParts<T>(schema: z.ZodType<T>, raw: unknown, issues: readonly Issue[]): T | undefined {
  const copy: unknown = structuredClone(raw);
  for (const issue of issues) {
    const base = plainPath(issue.path);
    if (issue.code === "unrecognized_keys") for (const key of issue.keys) removeAt(copy, [...base, key]);
    else if (base.length > 0) removeAt(copy, base);
  }
  const again = schema.safeParse(copy);
  return again.success ? again.data : undefined;
}

/** Field names the schema knows for the object at `path` (unwrapping defaults, optionals, arrays). */
export function knownKeysAt(schema: z.ZodType, path: FieldPath): string[] {
  let node: unknown = schema;
  for (const part of [...path, undefined]) {
    node = unwrap(node);
    const def = defOf(node);
    if (part === undefined) return def?.type === "object" ? Object.keys(def.shape as object) : [];
    if (def?.type === "object" && typeof part === "string") node = (def.shape as Record<string, unknown>)[part];
    else if (def?.type === "array" && typeof part === "number") node = def.element;
    else return [];
  }
  return [];
}

function unwrap(node: unknown): unknown {
  for (let def = defOf(node); def && (def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault"); def = defOf(node)) node = def.innerType;
  return node;
}

function defOf(node: unknown): Record<string, unknown> & { type?: string } | undefined {
  return (node as { _zod?: { def?: Record<string, unknown> & { type?: string } } } | undefined)?._zod?.def;
}

/**
 * The known name a misspelt one most likely meant: same letters in another case, or
 * within a small edit distance (a third of the name's length, at least 1, at most 3).
 */
export function closestName(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower);
  if (exact) return exact;
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function plainPath(path: readonly PropertyKey[]): FieldPath {
  return path.filter((p): p is string | number => typeof p !== "symbol");
}

export function hasPath(raw: unknown, path: FieldPath): boolean {
  let node: unknown = raw;
  for (const part of path) {
    if (node === null || typeof node !== "object" || !(part in (node as object))) return false;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node !== undefined;
}

function removeAt(raw: unknown, path: FieldPath): void {
  let node: unknown = raw;
  for (const part of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return;
    node = (node as Record<string | number, unknown>)[part];
  }
  if (node !== null && typeof node === "object") delete (node as Record<string | number, unknown>)[path[path.length - 1]!];
}
