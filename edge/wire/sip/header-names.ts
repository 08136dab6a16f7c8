/**
 * Header field names: compact forms (RFC 3261 7.3.3 and 20, plus the later RFCs that
 * registered one), canonical spelling, and which fields are comma-separated lists
 * (7.3.1: "header-name: value *(COMMA value)") or must appear at most once.
 */

/** Compact form -> canonical long form. */
const COMPACT: Readonly<Record<string, string>> = {
  i: "Call-ID",
  m: "Contact",
  e: "Content-Encoding",
  l: "Content-Length",
  c: "Content-Type",
  f: "From",
  s: "Subject",
  k: "Supported",
  t: "To",
  v: "Via",
  o: "Event", // RFC 6665
  u: "Allow-Events", // RFC 6665
  r: "Refer-To", // RFC 3515
  b: "Referred-By", // RFC 3892
  x: "Session-Expires", // RFC 4028
  y: "Identity", // RFC 8224
  a: "Accept-Contact", // RFC 3841
  j: "Reject-Contact", // RFC 3841
  d: "Request-Disposition", // RFC 3841
};

/** Canonical spellings of the fields edgesim reads or writes. */
const KNOWN = [
  "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Allow-Events",
  "Authentication-Info", "Authorization", "Call-ID", "Call-Info", "Contact", "Content-Disposition",
  "Content-Encoding", "Content-Language", "Content-Length", "Content-Type", "CSeq", "Date", "Error-Info",
  "Event", "Expires", "From", "Identity", "In-Reply-To", "Max-Forwards", "Min-Expires", "MIME-Version",
  "Organization", "Path", "Priority", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Require",
  "Record-Route", "Refer-To", "Referred-By", "Reject-Contact", "Reply-To", "Request-Disposition", "Require",
  "Retry-After", "Route", "Server", "Service-Route", "Session-Expires", "Subject", "Supported", "Timestamp",
  "To", "Unsupported", "User-Agent", "Via", "Warning", "WWW-Authenticate", "ms-diagnostics",
];
const CANONICAL = new Map<string, string>(KNOWN.map((n) => [n.toLowerCase(), n]));

/**
 * Fields whose value is a comma-separated list (RFC 3261 20.x grammar with "#" / COMMA).
 * Authorization-style fields and Date are NOT lists: their commas are inside one value.
 */
const LIST_KEYS = new Set(
  [
    "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Allow-Events",
    "Call-Info", "Contact", "Content-Encoding", "Content-Language", "Error-Info", "In-Reply-To", "Path",
    "Proxy-Require", "Record-Route", "Reject-Contact", "Request-Disposition", "Require", "Route",
    "Service-Route", "Supported", "Unsupported", "Via", "Warning",
  ].map((n) => n.toLowerCase()),
);

/** Fields that may appear at most once (7.3.1: only list fields may repeat). */
const SINGLE_KEYS = new Set(["call-id", "cseq", "from", "to", "max-forwards", "content-length"]);

const KEY_CACHE = new Map<string, string>();

/** Lower-case canonical key of a header name: "v", "VIA", "Via " -> "via". */
export function headerKey(name: string): string {
  const known = KEY_CACHE.get(name);
  if (known !== undefined) return known;
  const lower = name.trim().toLowerCase();
  const long = COMPACT[lower];
  const key = long === undefined ? lower : long.toLowerCase();
  // Names repeat on every message: remember them (bounded, so odd input cannot grow it without end).
  if (KEY_CACHE.size >= 1024) KEY_CACHE.clear();
  KEY_CACHE.set(name, key);
  return key;
}

/** Canonical spelling for output: "v" -> "Via", "cseq" -> "CSeq"; unknown names unchanged. */
export function canonicalName(name: string): string {
  const key = headerKey(name);
  return CANONICAL.get(key) ?? name.trim();
}

export function isListHeader(name: string): boolean {
  return LIST_KEYS.has(headerKey(name));
}

export function isSingleHeader(name: string): boolean {
  return SINGLE_KEYS.has(headerKey(name));
}
