/**
 * Generic header parameters and list splitting (RFC 3261 7.3.1, 25.1):
 *   *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
 *   gen-value = token / host / quoted-string,
 * and splitting "value *(COMMA value)" while respecting quoted-strings and <...>.
 */
import { isTokenChar, isWsp, readQuoted, sipError, skipWsp, trimWsp } from "./syntax.ts";

/** Ordered parameters; names are case-insensitive (lower-cased keys), null = no value. */
export type SipParams = Map<string, string | null>;

/** Characters of a gen-value that is a token or a host (incl. IPv6 reference). */
function isGenValueChar(c: string): boolean {
  return isTokenChar(c) || c === ":" || c === "[" || c === "]";
}

/**
 * Parse ";name=value;flag" starting at s[i]. Stops at end of string; anything else that
 * is not a parameter is an error. Quoted values are returned unquoted and unescaped.
 */
export function parseParams(s: string, i: number, where: string): SipParams {
  const params: SipParams = new Map();
  let j = skipWsp(s, i);
  while (j < s.length) {
    if (s[j] !== ";") throw sipError(where, `unexpected '${s[j]}' where a ';' parameter was expected`);
    j = skipWsp(s, j + 1);
    const nameStart = j;
    while (j < s.length && isTokenChar(s[j] as string)) j++;
    if (j === nameStart) throw sipError(where, "empty parameter name");
    const name = s.slice(nameStart, j).toLowerCase();
    j = skipWsp(s, j);
    let value: string | null = null;
    if (s[j] === "=") {
      j = skipWsp(s, j + 1);
      if (s[j] === '"') {
        const q = readQuoted(s, j, where);
        value = q.text;
        j = q.end;
      } else {
        const vStart = j;
        while (j < s.length && isGenValueChar(s[j] as string)) j++;
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

/** Format parameters back as ";a=b;c" (values that are not gen-value tokens are quoted). */
export function formatParams(params: SipParams): string {
  let out = "";
  for (const [k, v] of params) {
    if (v === null) out += `;${k}`;
    else if (v.length > 0 && [...v].every(isGenValueChar)) out += `;${k}=${v}`;
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
