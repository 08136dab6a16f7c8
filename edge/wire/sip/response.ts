/**
 * Building a response to a request, as a UAS or a proxy answering itself (RFC 3261 8.2.6).
 * 8.2.6.2: From, Call-ID, CSeq and every Via (same order) are copied; To is copied and,
 * unless the request's To has a tag or the status is 100, gets a To tag.
 */
import { SipHeaders, type SipHeaderField } from "./headers.ts";
import { SipResponse, type SipRequest } from "./message.ts";
import { generateTag } from "./ids.ts";

/** Standard reason phrases for the codes a proxy sends (RFC 3261 21). */
const REASONS: Readonly<Record<number, string>> = {
  100: "Trying", 200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  408: "Request Timeout", 415: "Unsupported Media Type", 416: "Unsupported URI Scheme", 420: "Bad Extension",
  480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist", 482: "Loop Detected",
  483: "Too Many Hops", 500: "Server Internal Error", 503: "Service Unavailable", 504: "Server Time-out",
  505: "Version Not Supported", 513: "Message Too Large",
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Unknown";
}

export interface CreateResponseOptions {
  /** To tag to add when one is needed; a fresh generateTag() otherwise. */
  toTag?: string;
}

function copy(f: SipHeaderField): SipHeaderField {
  return { ...f };
}

export function createResponse(
  request: SipRequest,
  status: number,
  reason: string = reasonPhrase(status),
  extraHeaders: ReadonlyArray<readonly [string, string]> = [],
  options: CreateResponseOptions = {},
): SipResponse {
  const fields: SipHeaderField[] = [];
  for (const name of ["Via", "From", "To", "Call-ID", "CSeq"]) {
    for (const f of request.headers.fieldsOf(name)) fields.push(copy(f));
  }
  const headers = new SipHeaders(fields);
  const to = headers.fieldsOf("To")[0];
  if (to !== undefined && status !== 100) {
    const parsed = request.to();
    if (parsed !== undefined && !parsed.params.has("tag")) {
      // ";tag" is a header parameter in both name-addr and addr-spec forms (20.39).
      to.value = `${to.value};tag=${options.toTag ?? generateTag()}`;
      to.raw = undefined;
    }
  }
  for (const [name, value] of extraHeaders) headers.append(name, value);
  headers.append("Content-Length", "0");
  return new SipResponse(status, reason, headers);
}
