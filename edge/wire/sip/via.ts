/**
 * One Via value (RFC 3261 20.42, 25.1; rport from RFC 3581):
 *
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   SLASH = SWS "/" SWS, sent-by = host [ COLON port ], COLON = SWS ":" SWS
 */
import { formatParams, parseParams, type SipParams } from "./params.ts";
import { isTokenCode, isWsp, sipError, skipWsp, trimWsp } from "./syntax.ts";
import { parseHostPort } from "./uri.ts";

export interface SipVia {
  protocolName: string;
  protocolVersion: string;
  /** Transport as written, upper-cased ("UDP", "TCP", "TLS", "SCTP", "UNKNOWN"). */
  transport: string;
  host: string;
  port: number | undefined;
  params: SipParams;
  branch: string | undefined;
  received: string | undefined;
  /** rport: null when present without value (a request asking for it), a number when filled. */
  rport: number | null | undefined;
}

/** End of the token starting at s[i] (i itself when there is none). */
function tokenEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && isTokenCode(s.charCodeAt(j))) j++;
  return j;
}

function expectSlash(s: string, i: number, where: string): number {
  const j = skipWsp(s, i);
  if (s[j] !== "/") throw sipError(where, "sent-protocol needs 'SIP/2.0/transport'");
  return skipWsp(s, j + 1);
}

export function parseVia(value: string, where: string): SipVia {
  const s = value;
  // Three tokens (each 1*token-char, so a token exactly when not empty) with SLASHes between.
  let i = skipWsp(s, 0);
  const nameEnd = tokenEnd(s, i);
  const name = s.slice(i, nameEnd);
  i = expectSlash(s, nameEnd, where);
  const verEnd = tokenEnd(s, i);
  const ver = s.slice(i, verEnd);
  i = expectSlash(s, verEnd, where);
  const trEnd = tokenEnd(s, i);
  const tr = s.slice(i, trEnd);
  if (name === "" || ver === "" || tr === "") throw sipError(where, "bad sent-protocol");
  if (name.toUpperCase() !== "SIP" || ver !== "2.0") {
    throw sipError(where, `unsupported protocol ${name}/${ver}`);
  }
  if (!isWsp(s[trEnd])) throw sipError(where, "missing LWS before sent-by");
  i = skipWsp(s, trEnd);
  // sent-by ends at ';' or end; COLON may carry SWS around it.
  const semi = s.indexOf(";", i);
  const j = semi < 0 ? s.length : semi;
  const written = trimWsp(s.slice(i, j));
  // COLON = SWS ":" SWS: only a sent-by with whitespace needs it removed around the port's colon.
  const spaced = written.indexOf(" ") >= 0 || written.indexOf("\t") >= 0;
  const sentBy = spaced ? written.replace(/[ \t]*:[ \t]*(?=\d+$)/, ":") : written;
  if (sentBy === "" || (spaced && /[ \t]/.test(sentBy))) throw sipError(where, "bad sent-by");
  const { host, port } = parseHostPort(sentBy, where);
  const params = parseParams(s, j, where);
  const branch = params.get("branch");
  if (branch === null) throw sipError(where, "branch parameter without value");
  const received = params.get("received");
  if (received === null) throw sipError(where, "received parameter without value");
  const rportRaw = params.get("rport");
  let rport: number | null | undefined = rportRaw === undefined ? undefined : null;
  if (typeof rportRaw === "string") {
    if (!/^\d{1,5}$/.test(rportRaw) || Number(rportRaw) > 65535) throw sipError(where, "bad rport");
    rport = Number(rportRaw);
  }
  return {
    protocolName: name.toUpperCase(),
    protocolVersion: ver,
    transport: tr.toUpperCase(),
    host,
    port,
    params,
    branch: branch ?? undefined,
    received: received ?? undefined,
    rport,
  };
}

/** Serialise a Via value: "SIP/2.0/TLS host:port;branch=...". */
export function formatVia(v: { transport: string; host: string; port?: number | undefined; params: SipParams }): string {
  return `SIP/2.0/${v.transport.toUpperCase()} ${v.host}${v.port === undefined ? "" : `:${v.port}`}${formatParams(v.params)}`;
}
