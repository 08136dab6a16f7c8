/**
 * Reading one property value, whichever form printed it. An Identity that
 * ConvertTo-Json wrote as an object (an XdsIdentity or an AD identity) is read
 * back to the text Format-List would print ("Global", "Site:Redmond",
 * "Tag:AllowFederation", "fabrikam.com").
 */
import type { ShellValue } from "./record.ts";

export class ValueError extends Error {}

const SCOPES = ["Global", "Site", "Tag", "Service"];

export function text(v: ShellValue | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v.trim() === "" ? undefined : v.trim();
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) throw new ValueError(`expected one value, found a list of ${v.length}`);
  return identityText(v);
}

/** An identity object -> its text; the shapes ConvertTo-Json gives for XdsIdentity and user identities. */
function identityText(o: { [key: string]: ShellValue }): string {
  for (const key of ["Identity", "FriendlyName", "Key"]) {
    const v = o[key];
    if (typeof v === "string" && v.trim()) return v.trim();
  }
  const scope = typeof o.ScopeClass === "number" ? SCOPES[o.ScopeClass] : typeof o.ScopeClass === "string" ? o.ScopeClass : undefined;
  const instance = [o.InstanceId, o.SiteId, o.AtomicId, o.Name].find((x): x is string => typeof x === "string" && x.trim() !== "" && !/^[0-9a-f-]{36}$/i.test(x));
  if (scope === "Global") return "Global";
  if (scope && instance) return `${scope}:${instance.replace(/^(Site|Tag):/i, "")}`;
  if (instance) return instance;
  throw new ValueError(`an identity object with none of Identity, FriendlyName, ScopeClass+InstanceId/SiteId/AtomicId: ${JSON.stringify(o).slice(0, 80)}`);
}

export function bool(v: ShellValue | undefined): boolean | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (t === "") return undefined;
    if (t === "true" || t === "$true") return true;
    if (t === "false" || t === "$false") return false;
  }
  throw new ValueError(`expected True or False, found ${JSON.stringify(v)}`);
}

export function int(v: ShellValue | undefined): number | undefined {
  const t = v === null || v === undefined ? undefined : typeof v === "number" ? String(v) : text(v);
  if (t === undefined) return undefined;
  if (!/^\d+$/.test(t)) throw new ValueError(`expected a whole number, found ${JSON.stringify(t)}`);
  return Number(t);
}

export function list(v: ShellValue | undefined): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map((x) => text(x)).filter((x): x is string => x !== undefined);
  const t = text(v);
  return t === undefined ? [] : [t];
}

/** An enum printed as its name; ConvertTo-Json in Windows PowerShell writes the number instead. */
export function enumName<T extends string>(v: ShellValue | undefined, names: readonly T[]): T | undefined {
  if (typeof v === "number") throw new ValueError(`an enum written as the number ${v}: export with ConvertTo-Json -EnumsAsStrings (PowerShell 7) or use Format-List`);
  const t = text(v);
  if (t === undefined) return undefined;
  const found = names.find((n) => n.toLowerCase() === t.toLowerCase());
  if (!found) throw new ValueError(`expected one of ${names.join(", ")}, found ${JSON.stringify(t)}`);
  return found;
}

/** A value as one comment line keeps it. */
export function printable(v: ShellValue): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return `{${v.map(printable).join(", ")}}`;
  return JSON.stringify(v);
}

export function isEmptyValue(v: ShellValue): boolean {
  return v === null || (typeof v === "string" && v.trim() === "") || (Array.isArray(v) && v.length === 0);
}
