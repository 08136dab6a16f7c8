/**
 * Start-line (RFC 3261 7.1, 7.2, 25.1):
 *   Request-Line = Method SP Request-URI SP SIP-Version CRLF
 *   Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 * Exactly one SP between elements and none at the end (RFC 4475 3.1.2.8-3.1.2.10).
 */
import { isToken, sipDiscardError, sipError } from "./syntax.ts";
import { parseUri } from "./uri.ts";

export type StartLine =
  | { kind: "request"; method: string; uri: string; version: string }
  | { kind: "response"; version: string; status: number; reason: string };

const WHERE = "start-line";

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; anything but 2.0 is 505 (8.2.2 / 21.5.6). */
function checkVersion(v: string, isResponse: boolean): string {
  if (v === "SIP/2.0") return v; // what nearly every message says: both checks below pass
  const fail = isResponse ? sipDiscardError : sipError;
  if (!/^SIP\/\d+\.\d+$/i.test(v)) throw fail(WHERE, `bad SIP-Version '${v}'`, 400);
  if (v.toUpperCase() !== "SIP/2.0") throw fail(WHERE, `unsupported SIP-Version '${v}'`, 505);
  return v.toUpperCase();
}

export function parseStartLine(line: string): StartLine {
  if (/^SIP\//i.test(line)) {
    // A bad response is discarded, never answered (RFC 4475 3.1.2.19): no wire code.
    const m = /^(\S+) (\d+)(?: (.*))?$/s.exec(line);
    if (m === null) throw sipDiscardError(WHERE, "Status-Line must be 'SIP/2.0 code reason'");
    const [, version = "", code = "", reason = ""] = m;
    checkVersion(version, true);
    if (!/^[1-6]\d\d$/.test(code)) throw sipDiscardError(WHERE, `status code '${code}' is not 100-699`);
    if (/[\r\n]/.test(reason)) throw sipDiscardError(WHERE, "CR or LF in Reason-Phrase");
    return { kind: "response", version: "SIP/2.0", status: Number(code), reason };
  }
  const parts = line.split(" ");
  if (parts.length !== 3 || parts.some((p) => p === "") || line.indexOf("\t") >= 0) {
    throw sipError(WHERE, "Request-Line must be 'Method SP Request-URI SP SIP-Version' with single spaces");
  }
  const [method = "", uri = "", version = ""] = parts;
  if (!isToken(method)) throw sipError(WHERE, `method '${method}' is not a token`);
  const v = checkVersion(version, false);
  if (uri.startsWith("<")) throw sipError(WHERE, "Request-URI must not be enclosed in <>");
  const parsed = parseUri(uri, "start-line Request-URI");
  // 19.1.1 table: the headers component is not allowed in a Request-URI (RFC 4475 3.1.2.11).
  if (parsed.kind === "sip" && parsed.headers.length > 0) throw sipError("start-line Request-URI", "headers component not allowed in Request-URI");
  return { kind: "request", method, uri, version: v };
}
