/**
 * The edits a proxy makes to a request or response it forwards (RFC 3261 16.6, 16.7),
 * each a small setter on the message (pion/stun helpers.go style). Serialise afterwards
 * with serializeSipMessage(); untouched fields keep their bytes.
 */
import type { SipMessage, SipRequest } from "./message.ts";
import type { SipParams } from "./params.ts";
import { parseMaxForwards } from "./scalars.ts";
import { sipError } from "./syntax.ts";
import { parseUri } from "./uri.ts";
import { formatVia, parseVia, type SipVia } from "./via.ts";

export interface NewVia {
  transport: "UDP" | "TCP" | "TLS" | "WS" | "WSS" | string;
  host: string;
  port?: number;
  branch: string;
  /** Extra parameters after branch (e.g. rport: null, ms-internal-info: ...). */
  params?: SipParams;
}

/** 16.6 step 8: insert our Via above the existing ones. */
export function addVia(msg: SipMessage, via: NewVia): void {
  const params: SipParams = new Map([["branch", via.branch]]);
  for (const [k, v] of via.params ?? []) params.set(k, v);
  msg.headers.prepend("Via", formatVia({ transport: via.transport, host: via.host, port: via.port, params }));
}

/** 16.7 step 3: remove the topmost Via of a response (from a multi-value line too). */
export function removeTopVia(msg: SipMessage): SipVia | undefined {
  const top = msg.headers.removeFirstValue("Via");
  return top === undefined ? undefined : parseVia(top, "header 'Via' value 1");
}

/**
 * 16.6 step 3: decrement Max-Forwards, or add it with 70 when absent. Returns the new
 * value. Refuses 0 (the caller should have answered 483, 16.3 step 3).
 */
export function decrementMaxForwards(req: SipRequest, initial = 70): number {
  const current = req.headers.get("Max-Forwards");
  if (current === undefined) {
    req.headers.append("Max-Forwards", String(initial));
    return initial;
  }
  const n = parseMaxForwards(current, "header 'Max-Forwards'");
  if (n === 0) throw sipError("header 'Max-Forwards'", "Max-Forwards is 0: must not forward", 483);
  req.headers.set("Max-Forwards", String(n - 1));
  return n - 1;
}

/** 16.6 step 4: add our Record-Route on top; a loose route (";lr", RFC 3261 19.1.1). */
export function addRecordRoute(req: SipRequest, uri: string): void {
  parseUri(uri, "new Record-Route URI");
  const withLr = /;lr(?:[;=?]|$)/i.test(uri) ? uri : `${uri};lr`;
  req.headers.prepend("Record-Route", `<${withLr}>`);
}

/** 16.6 step 2 / 16.5: retarget the request. */
export function setRequestUri(req: SipRequest, uri: string): void {
  parseUri(uri, "new Request-URI");
  req.uri = uri;
}

/** Append a header field at the end (e.g. ms-diagnostics, ms-edge-proxy-message-trust). */
export function addHeader(msg: SipMessage, name: string, value: string): void {
  msg.headers.append(name, value);
}
