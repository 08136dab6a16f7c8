/**
 * Generic header parameters and list splitting (RFC 3261 7.3.1, 25.1):
 *   *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
 *   gen-value = token / host / quoted-string,
 * and splitting "value *(COMMA value)" while respecting quoted-strings and <...>.
 */
import { isTokenCode, isWsp, readQuoted, sipError, skipWsp, trimWsp } from "./syntax.ts";

/** Ordered parameters; names are case-insensitive (lower-cased keys), null = no value. */
export type SipParams = Map<string, string | null>;

/** Characters of a gen-value that is a token or a host (incl. IPv6 reference). */
function isGenValueCode(code: number): boolean {
  return isTokenCode(code) || code === 0x3a || code === 0x5b || code === 0x5d;
}

/**
 * Parse ";name=value;flag" starting at s[i]. Stops at end of string; anything else that
 * is not a parameter is an error. Quoted values are returned unquoted and unescaped.
 */
export function parseParams(s: string, i: number, where: string): SipParams {
  const params: SipParams = new Map();
  let j = skipWsp(s, i);
  while (j < s.length) {
    if (s.charCodeAt(j) !== 0x3b) throw sipError(where, `unexpected '${s[j]}' where a ';' parameter was expected`);
    j = skipWsp(s, j + 1);
    const nameStart = j;
    while (j < s.length && isTokenCode(s.charCodeAt(j))) j++;
    if (j === nameStart) throw sipError(where, "empty parameter name");
    const name = s.slice(nameStart, j).toLowerCase();
    j = skipWsp(s, j);
    let value: string | null = null;
    if (s.charCodeAt(j) === 0x3d) {
      j = skipWsp(s, j + 1);
      if (s.charCodeAt(j) === 0x22) {
        const q = readQuoted(s, j, where);
        value = q.text;
        j = q.end;
      } else {
        const vStart = j;
        while (j < s.length && isGenValueCode(s.charCodeAt(j))) j++;
        if (j === vStart) throw sipError(where, `parameter '${name}' has '=' but no value`);
        value = s.slice(vStart, j);
      }
      j = skipWsp(s, j);
    }
    if (params.has(name)) throw sipError(where, `parameter '${name}' appears twice`);
    params.set(name, value);
  }
  return params;
}

function isGenValue(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) if (!isGenValueCode(v.charCodeAt(i))) return false;
  return true;
}

/** Format parameters back as ";a=b;c" (values that are not gen-value tokens are quoted). */
export function formatParams(params: SipParams): string {
  let out = "";
  for (const [k, v] of params) {
    if (v === null) out += `;${k}`;
    else if (isGenValue(v)) out += `;${k}=${v}`;
    else out += `;${k}="${v.replace(/["\\]/g, (m) => "\\" + m)}"`;
  }
  return out;
}

/**
 * Split a list header value at top-level commas (7.3.1). Commas inside quoted-strings
 * or <...> belong to the value. Empty elements are an error (RFC 4475 3.1.2.1 badinv01).
 */
export function splitCommaList(value: string, where: string): string[] {
  // Most values are one element: nothing to split and no quoted-string to check.
  if (value.indexOf(",") < 0 && value.indexOf('"') < 0) {
    const only = trimWsp(value);
    if (only.length === 0) throw sipError(where, "empty element in comma-separated list");
    return [only];
  }
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') {
      i = readQuoted(value, i, where).end - 1;
    } else if (c === "<") {
      depth++;
    } else if (c === ">") {
      depth = Math.max(0, depth - 1);
    } else if (c === "," && depth === 0) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  const trimmed = out.map((v) => trimWsp(v));
  if (trimmed.some((v) => v.length === 0)) throw sipError(where, "empty element in comma-separated list");
  return trimmed;
}

/** True when s has no SP/HTAB/CR/LF (URIs and tokens never do). */
export function hasNoWhitespace(s: string): boolean {
  for (const c of s) if (isWsp(c) || c === "\r" || c === "\n") return false;
  return true;
}
