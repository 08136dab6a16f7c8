/**
 * Applies a scenario's `set:` changes to a topology: dotted paths with array
 * selectors by index or by a field's value, e.g.
 * `partners[domain=fabrikam.test].certificate.omitClientAuth: true`.
 */
export class SetPathError extends Error {
  constructor(readonly path: string, message: string) {
    super(`set ${path}: ${message}`);
    this.name = "SetPathError";
  }
}

type Part = { key: string } | { index: number } | { field: string; equals: string };

function parsePath(path: string): Part[] {
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
