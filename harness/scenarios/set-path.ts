/**
 * Applies a scenario's `set:` changes to a topology: dotted paths with array
 * selectors by index or by a field's value, e.g.
 * `partners[domain=fabrikam.test].certificate.omitClientAuth: true`.
 *
 * Grammar (docs/scenarios.md, "set: paths"):
 *   path     = name { "." name | selector }
 *   name     = ( letter | "_" ) { letter | digit | "_" | "-" }
 *   selector = "[" digits "]" | "[" field "=" value "]"
 *   field    = ( letter | digit | "_" | "-" ) { letter | digit | "_" | "-" }
 *   value    = any characters but "]", at least one
 * `[n]` is the n-th item (from 0; n = the list's length appends); `[field=value]` is the
 * first item whose field, as text, equals value. Missing fields on the way are created.
 */
export class SetPathError extends Error {
  constructor(readonly path: string, message: string) {
    super(`set ${path}: ${message}`);
    this.name = "SetPathError";
  }
}

type Part = { key: string } | { index: number } | { field: string; equals: string };

/** The whole grammar above, to refuse a path rather than read part of it. */
const PATH = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[[\w-]+=[^\]]+\])*$/;

function parsePath(path: string): Part[] {
  if (!PATH.test(path)) throw new SetPathError(path, "not a path: name { .name | [index] | [field=value] } (docs/scenarios.md)");
  const parts: Part[] = [];
  for (const m of path.matchAll(/([A-Za-z_][\w-]*)|\[(\d+)\]|\[([\w-]+)=([^\]]+)\]/g)) {
    if (m[1]) parts.push({ key: m[1] });
    else if (m[2]) parts.push({ index: Number(m[2]) });
    else parts.push({ field: m[3]!, equals: m[4]! });
  }
  if (parts.length === 0) throw new SetPathError(path, "empty path");
  return parts;
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = parsePath(path);
  let node: unknown = target;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if ("key" in part) {
      if (node === null || typeof node !== "object" || Array.isArray(node)) throw new SetPathError(path, `'${part.key}' is not a field here`);
      const obj = node as Record<string, unknown>;
      if (last) obj[part.key] = value;
      else {
        if (obj[part.key] === undefined) obj[part.key] = typeof parts[i + 1] === "object" && "key" in parts[i + 1]! ? {} : [];
        node = obj[part.key];
      }
      continue;
    }
    if (!Array.isArray(node)) throw new SetPathError(path, "a [selector] needs a list");
    const index = "index" in part ? part.index : node.findIndex((x) => x && typeof x === "object" && String((x as Record<string, unknown>)[part.field]) === part.equals);
    if (index < 0 || index > node.length) throw new SetPathError(path, "field" in part ? `no item with ${part.field}=${part.equals}` : `index ${index} is past the end`);
    if (last) node[index] = value;
    else node = node[index];
  }
}

/**
 * The line of the `set:` entry that wrote a field: the entry whose path, selectors
 * left out, is the longest prefix of the field's path (indices left out); else the
 * first entry's line.
 */
export function setLineOf(set: readonly { path: string; line: number }[], field: readonly (string | number)[]): number {
  const names = field.filter((p): p is string => typeof p === "string");
  let best: { line: number; depth: number } | undefined;
  for (const entry of set) {
    const keys = [...entry.path.matchAll(/(?:^|\.)([A-Za-z_][\w-]*)/g)].map((m) => m[1]!);
    const prefix = keys.length <= names.length && keys.every((k, i) => k === names[i]);
    if (prefix && (!best || keys.length > best.depth)) best = { line: entry.line, depth: keys.length };
  }
  return best?.line ?? set[0]?.line ?? 1;
}
