/**
 * The CANCEL a proxy sends on its own (RFC 3261 16.8, Timer C), built as 9.1 says
 * from the INVITE as it was forwarded: the same Request-URI, Call-ID, From, To and
 * Route set, the CSeq number with method CANCEL, and one Via - the INVITE's top Via,
 * ours - so the next hop matches it to that INVITE's server transaction (9.2).
 */
import { SipHeaders, SipRequest, splitCommaList } from "../../wire/sip/index.ts";

export function cancelFor(invite: SipRequest): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.fieldsOf("Via")[0];
  if (topVia) headers.append("Via", splitCommaList(topVia.value, "header 'Via'")[0] ?? topVia.value);
  headers.append("Max-Forwards", "70");
  for (const name of ["From", "To", "Call-ID"]) {
    const v = invite.headers.get(name);
    if (v !== undefined) headers.append(name, v);
  }
  headers.append("CSeq", `${invite.cseq()?.seq ?? 1} CANCEL`);
  for (const route of invite.headers.getAll("Route")) headers.append("Route", route);
  headers.append("Content-Length", "0");
  return new SipRequest("CANCEL", invite.uri, headers);
}
