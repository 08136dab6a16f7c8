/**
 * FED-12 on the wire: every final response the Access Edge makes itself carries an
 * `ms-diagnostics` header (code;reason="RULE: text";source="fqdn"), the way the
 * product explains a refusal. Policy refusals use the policy engine's catalog
 * (52RRn, docs/federation-policy.md); what only the live edge can find out (DNS,
 * TLS, certificates, timeouts, bad input) uses edgesim's own 54xxx codes below.
 */
import type { Diagnostics } from "../../policy/index.ts";

export interface EdgeRefusal {
  status: number;
  reason: string;
  diagnostics: Diagnostics;
  /** Rule IDs for the trace. */
  rules: string[];
}

interface LocalEntry { status: number; code: number; rule: string; text: string }

/** edgesim's own codes for what the live edge finds out; 540xx transport, 541xx RFC 3261 proxy rules. */
export const EDGE_DIAGNOSTICS = {
  srvNotFound: { status: 504, code: 54011, rule: "DNS-1", text: "No _sipfederationtls._tcp SRV record for the target domain" },
  hostNotFound: { status: 504, code: 54012, rule: "DNS-1", text: "The next hop's FQDN has no A record" },
  unreachable: { status: 504, code: 54013, rule: "DNS-1", text: "No edge of the target domain answered" },
  peerNameMismatch: { status: 504, code: 54021, rule: "CERT-2", text: "Peer certificate does not name the FQDN we connected to" },
  peerUntrusted: { status: 504, code: 54022, rule: "CERT-2", text: "Peer certificate is not trusted" },
  noClientAuthEku: { status: 504, code: 54031, rule: "PIC-2", text: "Our edge certificate lacks the clientAuth EKU this public IM provider requires" },
  firewallDrop: { status: 504, code: 54014, rule: "PORT-5", text: "A firewall between this edge and the next hop drops the connection" },
  peerRefusedUs: { status: 504, code: 54032, rule: "CERT-2", text: "The peer closed the TLS connection during or right after the handshake (it refused our certificate)" },
  timeout: { status: 408, code: 54101, rule: "RFC3261-17.1.2.2", text: "No final response from the next hop in time (Timer F)" },
  stopping: { status: 503, code: 54108, rule: "FED-12", text: "This edge server is stopping: no answer from the next hop before it did" },
  inviteTimeout: { status: 408, code: 54107, rule: "RFC3261-16.8", text: "No final response to the INVITE in time (Timer C)" },
  malformed: { status: 400, code: 54102, rule: "RFC3261-16.3", text: "Malformed request" },
  proxyCheck: { status: 400, code: 54103, rule: "RFC3261-16.3", text: "Request failed the proxy's checks" },
  loop: { status: 482, code: 54104, rule: "RFC3261-16.3", text: "Loop detected: the request already passed this edge" },
  notRegistered: { status: 480, code: 54105, rule: "FED-9", text: "The remote user has no registration on this edge" },
  nextHopDown: { status: 504, code: 54106, rule: "RFC3261-16.6", text: "The front-end pool did not answer" },
  noOutsideAccess: { status: 403, code: 52096, rule: "FED-9", text: "User is not enabled for remote access (EnableOutsideAccess / AllowOutsideUsers)" },
} as const satisfies Record<string, LocalEntry>;

export type EdgeDiagnosticsKey = keyof typeof EDGE_DIAGNOSTICS;

const REASONS: Record<number, string> = { 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 408: "Request Timeout", 480: "Temporarily Unavailable", 482: "Loop Detected", 483: "Too Many Hops", 503: "Service Unavailable", 504: "Server Time-out" };

export function edgeRefusal(key: EdgeDiagnosticsKey, detail?: string, extraRules: string[] = []): EdgeRefusal {
  const e: LocalEntry = EDGE_DIAGNOSTICS[key];
  const text = detail ? `${e.rule}: ${e.text}: ${detail}` : `${e.rule}: ${e.text}`;
  return { status: e.status, reason: REASONS[e.status] ?? "Error", diagnostics: { code: e.code, text }, rules: [...new Set([e.rule, ...extraRules])] };
}

/** A refusal for a status the RFC dictates (416, 420, 483...) with our text. */
export function protocolRefusal(status: number, reason: string, text: string): EdgeRefusal {
  return { status, reason, diagnostics: { code: 54100 + (status % 100), text: `RFC3261-16.3: ${text}` }, rules: ["RFC3261-16.3"] };
}

function quote(s: string): string {
  return s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, " ");
}

/** The header value: `52060;reason="FED-6: Domain is blocked: blocked.test";source="edge1-sip.contoso.test"`. */
export function formatMsDiagnostics(d: Diagnostics, source: string): string {
  return `${d.code};reason="${quote(d.text)}";source="${source}"`;
}

/** Read an ms-diagnostics header back (for user agents and tests). */
export function parseMsDiagnostics(value: string | undefined): Diagnostics | undefined {
  if (!value) return undefined;
  const m = /^\s*(\d+)\s*;\s*reason="((?:[^"\\]|\\.)*)"/.exec(value);
  if (!m) return undefined;
  return { code: Number(m[1]), text: m[2]!.replace(/\\(.)/g, "$1") };
}
