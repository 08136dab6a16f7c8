/**
 * name-addr / addr-spec with header parameters, as used by From, To, Contact, Route,
 * Record-Route, Reply-To (RFC 3261 20.10, 20.20, 20.39, 25.1):
 *
 *   ( name-addr / addr-spec ) *( SEMI param )
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *   LAQUOT = SWS "<", RAQUOT = ">" SWS   (no whitespace inside the brackets)
 *
 * Without <...>, the URI ends at the first ';' (those parameters are header parameters)
 * and must not contain ',', '?' or ';' (20.10).
 */
import { parseParams, type SipParams } from "./params.ts";
import { isTokenChar, isWsp, readQuoted, sipError, skipWsp, trimWsp } from "./syntax.ts";
import { parseUri, type AnyUri } from "./uri.ts";

export interface NameAddr {
  /** Display name, unquoted and unescaped; undefined when absent. */
  displayName: string | undefined;
  /** The URI text exactly as written between the brackets (or the bare addr-spec). */
  uriText: string;
  uri: AnyUri;
  /** Whether the URI was written in <...> (name-addr form). */
  angle: boolean;
  /** Header parameters (tag, expires, q, lr when outside <>, ...). */
  params: SipParams;
}

export function parseNameAddr(value: string, where: string): NameAddr {
  const s = value;
  let i = skipWsp(s, 0);
  let displayName: string | undefined;
  let angleAt = -1;
  if (s[i] === '"') {
    const q = readQuoted(s, i, where);
    displayName = q.text;
    i = skipWsp(s, q.end);
    if (s[i] !== "<") throw sipError(where, "quoted display name not followed by '<'");
    angleAt = i;
  } else {
    // Scan *(token LWS); if '<' follows, that was the display name.
    let j = i;
    while (j < s.length && (isTokenChar(s[j] as string) || isWsp(s[j]))) j++;
    if (s[j] === "<") {
      angleAt = j;
      const dn = trimWsp(s.slice(i, j)).replace(/[ \t]+/g, " ");
      displayName = dn === "" ? undefined : dn;
    }
  }
  let uriText: string;
  let rest: number;
  if (angleAt >= 0) {
    const close = s.indexOf(">", angleAt);
    if (close < 0) throw sipError(where, "'<' without '>'");
    uriText = s.slice(angleAt + 1, close);
    if (uriText !== trimWsp(uriText) || /[ \t]/.test(uriText)) throw sipError(where, "whitespace inside <addr-spec>");
    rest = close + 1;
  } else {
    let j = i;
    while (j < s.length && s[j] !== ";" && !isWsp(s[j])) j++;
    uriText = s.slice(i, j);
    if (/[,?<>"]/.test(uriText)) throw sipError(where, "addr-spec with ',', '?' or '<' must be enclosed in <>");
    rest = j;
  }
  if (uriText === "") throw sipError(where, "empty URI");
  const uri = parseUri(uriText, where);
  const params = parseParams(s, rest, where);
  return { displayName, uriText, uri, angle: angleAt >= 0, params };
}

/** Serialise back as name-addr (always with <>, the form 20.10 recommends). */
export function formatNameAddr(na: { displayName?: string | undefined; uriText: string; params?: SipParams }): string {
  let s = "";
  if (na.displayName !== undefined) s += `"${na.displayName.replace(/["\\]/g, (m) => "\\" + m)}" `;
  s += `<${na.uriText}>`;
  for (const [k, v] of na.params ?? new Map<string, string | null>()) s += v === null ? `;${k}` : `;${k}=${v}`;
  return s;
}
