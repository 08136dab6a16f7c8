/**
 * SIP and SIPS URIs (RFC 3261 19.1.1 components, 25.1 grammar, 19.1.2 escaping) and
 * any other absoluteURI, kept opaque (RFC 4475 3.3.2-3.3.4: unknown schemes must parse).
 *
 *   SIP-URI  = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
 */
import { escapePercent, sipError, unescapePercent } from "./syntax.ts";
import type { SipParams } from "./params.ts";

export interface SipUri {
  kind: "sip";
  scheme: "sip" | "sips";
  /** Unescaped user part ("I have spaces", "null-\0-null"), undefined when there is no userinfo. */
  user: string | undefined;
  password: string | undefined;
  /** Host as written (IPv6 keeps its brackets: "[2001:db8::1]"). */
  host: string;
  port: number | undefined;
  /** uri-parameters: unescaped, names lower-cased, null when there is no "=value". */
  params: SipParams;
  /** headers component ("?Route=..."), unescaped, in order. */
  headers: Array<[string, string]>;
}

/** Any other scheme (tel:, http:, isbn:, soap.beep:): kept as scheme + opaque text. */
export interface OtherUri {
  kind: "other";
  scheme: string;
  opaque: string;
}

export type AnyUri = SipUri | OtherUri;

const ESC = "%[0-9A-Fa-f]{2}";
const UNRESERVED = "A-Za-z0-9\\-_.!~*'()";
const USER_RE = new RegExp(`^(?:[${UNRESERVED}&=+$,;?/]|${ESC})+$`);
const PASSWORD_RE = new RegExp(`^(?:[${UNRESERVED}&=+$,]|${ESC})*$`);
const PARAMCHAR_RE = new RegExp(`^(?:[${UNRESERVED}[\\]/:&+$]|${ESC})+$`);
const HNV_RE = new RegExp(`^(?:[${UNRESERVED}[\\]/?:+$]|${ESC})*$`);
const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
const HOSTNAME_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;
const IPV6REF_RE = /^\[[0-9A-Fa-f:.]+\]$/;
/** Characters allowed unescaped in an absoluteURI (RFC 2396 uric, as used by 25.1). */
const OPAQUE_RE = /^(?:[A-Za-z0-9\-_.!~*'();/?:@&=+$,[\]]|%[0-9A-Fa-f]{2})+$/;

/** host = hostname / IPv4address / IPv6reference (25.1). */
export function isValidHost(host: string): boolean {
  return HOSTNAME_RE.test(host) || IPV6REF_RE.test(host);
}

/** Parse "host[:port]" (hostport, 25.1). */
export function parseHostPort(s: string, where: string): { host: string; port: number | undefined } {
  let host: string;
  let rest: string;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0) throw sipError(where, "unterminated IPv6 reference");
    host = s.slice(0, close + 1);
    rest = s.slice(close + 1);
  } else {
    const colon = s.indexOf(":");
    host = colon < 0 ? s : s.slice(0, colon);
    rest = colon < 0 ? "" : s.slice(colon);
  }
  if (!isValidHost(host)) throw sipError(where, `bad host '${host}'`);
  if (rest === "") return { host, port: undefined };
  if (!/^:\d{1,5}$/.test(rest)) throw sipError(where, `bad port '${rest.slice(1)}'`);
  const port = Number(rest.slice(1));
  if (port > 65535) throw sipError(where, `port ${port} out of range`);
  return { host, port };
}

/**
 * URIs already parsed, by text: the same few (Request-URI, From, To, Contact of the
 * users talking) come back on every message of a busy proxy. A parse depends only on
 * the text (`where` only names the place of an error, and errors are not kept), and
 * nothing edits a parsed URI, so a kept result is the same answer. Bounded: cleared
 * when full.
 */
const PARSED = new Map<string, AnyUri>();
const PARSED_MAX = 512;

/** Parse any URI: sip/sips fully, other schemes as opaque text. No whitespace allowed. Treat the result as read-only. */
export function parseUri(text: string, where: string): AnyUri {
  const kept = PARSED.get(text);
  if (kept !== undefined) return kept;
  const uri = parseUriText(text, where);
  if (PARSED.size >= PARSED_MAX) PARSED.clear();
  PARSED.set(text, uri);
  return uri;
}

function parseUriText(text: string, where: string): AnyUri {
  const colon = text.indexOf(":");
  const scheme = colon < 0 ? "" : text.slice(0, colon);
  if (!SCHEME_RE.test(scheme)) throw sipError(where, `no URI scheme in '${text}'`);
  const lower = scheme.toLowerCase();
  if (lower === "sip" || lower === "sips") return parseSipUri(lower, text.slice(colon + 1), where);
  const opaque = text.slice(colon + 1);
  if (!OPAQUE_RE.test(opaque)) throw sipError(where, `bad characters in ${scheme}: URI`);
  return { kind: "other", scheme, opaque };
}

function parseSipUri(scheme: "sip" | "sips", rest: string, where: string): SipUri {
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const pc = userinfo.indexOf(":");
    const userRaw = pc < 0 ? userinfo : userinfo.slice(0, pc);
    if (!USER_RE.test(userRaw)) throw sipError(where, `bad user part '${userRaw}'`);
    user = unescapePercent(userRaw, where);
    if (pc >= 0) {
      const pw = userinfo.slice(pc + 1);
      if (!PASSWORD_RE.test(pw)) throw sipError(where, "bad password part");
      password = unescapePercent(pw, where);
    }
  }
  const q = rest.indexOf("?");
  const headerText = q < 0 ? undefined : rest.slice(q + 1);
  const beforeHeaders = q < 0 ? rest : rest.slice(0, q);
  const [hostport = "", ...paramParts] = beforeHeaders.split(";");
  const { host, port } = parseHostPort(hostport, where);
  const params: SipParams = new Map();
  for (const part of paramParts) {
    const eq = part.indexOf("=");
    const rawName = eq < 0 ? part : part.slice(0, eq);
    if (!PARAMCHAR_RE.test(rawName)) throw sipError(where, `bad URI parameter name '${rawName}'`);
    const name = unescapePercent(rawName, where).toLowerCase();
    let value: string | null = null;
    if (eq >= 0) {
      const rawValue = part.slice(eq + 1);
      if (!PARAMCHAR_RE.test(rawValue)) throw sipError(where, `bad value of URI parameter '${name}'`);
      value = unescapePercent(rawValue, where);
    }
    if (params.has(name)) throw sipError(where, `URI parameter '${name}' appears twice`);
    params.set(name, value);
  }
  const headers: Array<[string, string]> = [];
  if (headerText !== undefined) {
    for (const h of headerText.split("&")) {
      const eq = h.indexOf("=");
      const hn = eq < 0 ? "" : h.slice(0, eq);
      const hv = eq < 0 ? "" : h.slice(eq + 1);
      if (hn === "" || !HNV_RE.test(hn) || !HNV_RE.test(hv)) throw sipError(where, `bad URI header '${h}'`);
      headers.push([unescapePercent(hn, where), unescapePercent(hv, where)]);
    }
  }
  return { kind: "sip", scheme, user, password, host, port, params, headers };
}

const USER_SAFE = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]$/;
const PARAM_SAFE = /^[A-Za-z0-9\-_.!~*'()[\]/:&+$]$/;
const HNV_SAFE = /^[A-Za-z0-9\-_.!~*'()[\]/?:+$]$/;

/** Serialise a URI, escaping what 19.1.2 says must be escaped. */
export function formatUri(uri: AnyUri): string {
  if (uri.kind === "other") return `${uri.scheme}:${uri.opaque}`;
  let s = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    s += escapePercent(uri.user, USER_SAFE);
    if (uri.password !== undefined) s += ":" + escapePercent(uri.password, /^[A-Za-z0-9\-_.!~*'()&=+$,]$/);
    s += "@";
  }
  s += uri.host + (uri.port === undefined ? "" : `:${uri.port}`);
  for (const [k, v] of uri.params) s += ";" + escapePercent(k, PARAM_SAFE) + (v === null ? "" : "=" + escapePercent(v, PARAM_SAFE));
  if (uri.headers.length > 0) s += "?" + uri.headers.map(([k, v]) => `${escapePercent(k, HNV_SAFE)}=${escapePercent(v, HNV_SAFE)}`).join("&");
  return s;
}
