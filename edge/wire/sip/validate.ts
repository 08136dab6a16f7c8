/**
 * Request validation a proxy runs before forwarding (RFC 3261 16.3), and the check of a
 * response before it is relayed (16.7, RFC 4475 3.3.10). Each failure names the status
 * to send (8.2 / 16.3) and its reason.
 */
import { WireDecodeError } from "../decode-error.ts";
import type { SipRequest, SipResponse } from "./message.ts";
import { reasonPhrase } from "./response.ts";
import type { SipVia } from "./via.ts";
import { trimWsp } from "./syntax.ts";

export interface ProxyValidationOptions {
  /** URI schemes this proxy can route (16.3 step 2). Default ["sip", "sips"]. */
  supportedSchemes?: readonly string[];
  /** Option tags this proxy understands in Proxy-Require (16.3 step 5). Default none. */
  supportedExtensions?: readonly string[];
  /** 16.3 step 3: with Max-Forwards 0, answer OPTIONS as a UAS (section 11). Default true. */
  answerOptionsLocally?: boolean;
}

export type ProxyVerdict =
  | { action: "forward" }
  /** Do not forward: act as the final recipient (OPTIONS with Max-Forwards 0). */
  | { action: "answer-locally"; reason: string }
  | { action: "reject"; status: number; reason: string; headers: Array<[string, string]> };

function reject(status: number, why: string, headers: Array<[string, string]> = []): ProxyVerdict {
  return { action: "reject", status, reason: `${reasonPhrase(status)} (${why})`, headers };
}

const DEFAULT_SCHEMES: readonly string[] = ["sip", "sips"];
const NO_EXTENSIONS: ReadonlySet<string> = new Set();

/** 16.3 steps 1, 2, 3 and 5 (loop detection, step 4, needs the proxy's own Via state). */
export function validateProxyRequest(req: SipRequest, opts: ProxyValidationOptions = {}): ProxyVerdict {
  const schemes = opts.supportedSchemes === undefined ? DEFAULT_SCHEMES : opts.supportedSchemes.map((s) => s.toLowerCase());
  const supported = opts.supportedExtensions === undefined ? NO_EXTENSIONS : new Set(opts.supportedExtensions.map((s) => s.toLowerCase()));
  let maxForwards: number | undefined;
  try {
    // Step 1, reasonable syntax: the fields a proxy needs parse, and the mandatory ones (8.1.1) exist.
    for (const name of ["To", "From", "Call-ID", "CSeq", "Via"]) {
      if (!req.headers.has(name)) return reject(400, `missing ${name} header field`);
    }
    req.vias();
    req.cseq();
    req.from();
    req.to();
    req.callId();
    maxForwards = req.maxForwards();
    // Step 2: URI scheme.
    const uri = req.requestUri();
    const scheme = uri.kind === "sip" ? uri.scheme : uri.scheme.toLowerCase();
    if (!schemes.includes(scheme)) return reject(416, `scheme '${uri.scheme}' not supported`);
  } catch (err) {
    if (err instanceof WireDecodeError) return reject(typeof err.wireCode === "number" ? err.wireCode : 400, `${err.reason} at ${err.where}`);
    throw err;
  }
  // Step 3: Max-Forwards (absent passes).
  if (maxForwards === 0) {
    if (req.method === "OPTIONS" && (opts.answerOptionsLocally ?? true)) {
      return { action: "answer-locally", reason: "Max-Forwards 0 on OPTIONS: answer as the final recipient (16.3 step 3)" };
    }
    return reject(483, "Max-Forwards is 0");
  }
  // Step 5: Proxy-Require; 420 lists the unknown tags in Unsupported (8.2.2.3).
  const unknown = req.headers
    .values("Proxy-Require")
    .map((t) => trimWsp(t))
    .filter((t) => !supported.has(t.toLowerCase()));
  if (unknown.length > 0) return reject(420, `unsupported Proxy-Require ${unknown.join(", ")}`, [["Unsupported", unknown.join(", ")]]);
  return { action: "forward" };
}

export type ResponseVerdict =
  | { action: "forward"; next: SipVia }
  /** The response was for us (no Via left after ours) or must not be relayed. */
  | { action: "consume" | "discard"; reason: string };

/** An IPv4 broadcast or multicast sent-by a response must never be sent to (RFC 4475 3.3.10). */
function isUnsafeDestination(host: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (m === null) return /^\[ff/i.test(host); // IPv6 multicast
  const first = Number(m[1]);
  return host === "255.255.255.255" || (first >= 224 && first <= 239);
}

/**
 * 16.7 step 3 look-ahead: after our top Via, where would the response go? Broadcast or
 * multicast next hops are discarded (RFC 4475 3.3.10 bcast). Call before removeTopVia().
 */
export function checkResponseForForwarding(res: SipResponse): ResponseVerdict {
  const vias = res.vias();
  const next = vias[1];
  if (next === undefined) return { action: "consume", reason: "no Via after ours: the response is for this element" };
  const target = next.received ?? next.params.get("maddr") ?? next.host;
  if (target !== null && isUnsafeDestination(target)) return { action: "discard", reason: `next Via sent-by ${target} is a broadcast or multicast address` };
  return { action: "forward", next };
}
