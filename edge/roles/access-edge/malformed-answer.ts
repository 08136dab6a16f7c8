/**
 * The 400 a SIP element sends for a request it could frame but not parse
 * (RFC 3261 8.2 / 16.3 step 1; RFC 4475 malformed messages). There is no SipRequest
 * to answer, so the response copies what it can of the request's Via, From, To,
 * Call-ID and CSeq lines (8.2.6.2) and says where parsing failed (FED-12).
 */
import { hasControlCharacter, SipHeaders, SipResponse, serializeSipMessage, type SipHead } from "../../wire/sip/index.ts";
import type { WireDecodeError } from "../../wire/decode-error.ts";
import { formatMsDiagnostics, EDGE_DIAGNOSTICS } from "./diagnostics.ts";

const COPIED = new Set(["via", "from", "to", "call-id", "cseq"]);

/** True when the framed bytes started like a request (a response is never answered, RFC 4475 3.1.2). */
export function looksLikeRequest(head: SipHead | undefined, bytes: Buffer): boolean {
  const first = head?.startLine ?? bytes.subarray(0, 64).toString("latin1").split(/\r?\n/)[0] ?? "";
  return !/^SIP\/\d/i.test(first);
}

export function malformedAnswer(head: SipHead | undefined, error: WireDecodeError, source: string): Buffer {
  const status = typeof error.wireCode === "number" ? error.wireCode : 400;
  // A copied field holding a control character (RFC 3261 25.1) is left out: the answer must not echo it back.
  const fields = (head?.fields ?? []).filter((f) => COPIED.has(f.key) && !hasControlCharacter(f.value)).map((f) => ({ ...f }));
  const headers = new SipHeaders(fields);
  const e = EDGE_DIAGNOSTICS.malformed;
  headers.append("ms-diagnostics", formatMsDiagnostics({ code: e.code, text: `${e.rule}: ${error.reason} at ${error.where}` }, source));
  headers.append("Content-Length", "0");
  const reason = status === 400 ? "Bad Request" : status === 505 ? "Version Not Supported" : status === 513 ? "Message Too Large" : "Bad Request";
  return serializeSipMessage(new SipResponse(status, reason, headers));
}
