/**
 * The partner user's call client on the partner's side of the federation: answers an
 * INVITE for one of its users with an SDP answer (RFC 3264) from a callback, records the
 * ACK and answers BYE. partners/sip's SipPartner answers INVITE with a bodiless 200 and has
 * no hook for a call, so for the length of a call this takes the partner's edges over: it
 * stops each running edge and starts a PartnerEdge of its own on the same address, identity
 * and port (the same server, now with a call-capable user agent behind it), delivering
 * MESSAGEs to the partner's inboxes as before; `release()` restores the partner's own edges.
 */
import { createResponse, SipResponse, type SipRequest } from "../../../edge/wire/sip/index.ts";
import type { SipConnection } from "../../../edge/roles/access-edge/index.ts";
import { answer, aor, PartnerEdge, receivedMessage, type SipPartner } from "../../../partners/sip/index.ts";

export interface IncomingCall { from: string; to: string; callId: string; sdp: string }
export type AnswerFn = (call: IncomingCall) => Promise<{ status: number; reason?: string; sdp?: string }>;

export class PartnerCallAnswerer {
  #mine: PartnerEdge[] = [];
  #stopped: PartnerEdge[] = [];
  readonly acked: string[] = [];
  readonly byes: string[] = [];

  constructor(private readonly partner: SipPartner, private readonly onInvite: AnswerFn) {}

  async takeOver(): Promise<void> {
    const p = this.partner;
    for (const edge of p.edges.filter((e) => e.running)) {
      await edge.stop();
      this.#stopped.push(edge);
      const mine = new PartnerEdge(edge.spec, {
        requireClientAuthEku: p.o.product === "publicIm", resolver: p.o.resolver, events: p.o.events,
        hooks: { uac: p.uac, onRequest: (req, conn) => this.#onRequest(req, conn) },
      });
      await mine.start();
      this.#mine.push(mine);
    }
  }

  async release(): Promise<void> {
    for (const e of this.#mine.splice(0)) await e.stop();
    for (const e of this.#stopped.splice(0)) await e.start();
  }

  #onRequest(req: SipRequest, conn: SipConnection): void {
    const to = aor(req.to()?.uriText);
    const known = this.partner.o.users.some((u) => u.toLowerCase() === to);
    const callId = req.callId() ?? "";
    if (req.method === "ACK") {
      this.acked.push(callId);
      return;
    }
    if (!known && req.method !== "OPTIONS") return answer(conn, req, 404);
    if (req.method === "MESSAGE") {
      this.partner.user(to).inbox.push(receivedMessage(req));
      return answer(conn, req, 200);
    }
    if (req.method === "BYE") {
      this.byes.push(callId);
      return answer(conn, req, 200);
    }
    if (req.method !== "INVITE") return answer(conn, req, 200);
    const call = { from: aor(req.from()?.uriText), to, callId, sdp: req.body.toString("utf8") };
    this.onInvite(call).then(
      (a) => conn.closed || conn.send(withBody(req, conn, to, a.status, a.reason, a.sdp)),
      (err: unknown) => conn.closed || conn.send(createResponse(req, 500, `Server Internal Error (the call client failed: ${(err as Error).message})`)),
    );
  }
}

/** A final response to INVITE (12.1.1: Record-Route copied, Contact of the user), with the SDP answer when there is one. */
function withBody(req: SipRequest, conn: SipConnection, user: string, status: number, reason: string | undefined, sdp: string | undefined): SipResponse {
  const extra: Array<[string, string]> = req.headers.fieldsOf("Record-Route").map((f) => ["Record-Route", f.value]);
  extra.push(["Contact", `<sip:${user.split("@")[0]}@${conn.info.localFqdn};transport=tls>`]);
  if (sdp) extra.push(["Content-Type", "application/sdp"]);
  const res = createResponse(req, status, reason, extra);
  if (!sdp) return res;
  const body = Buffer.from(sdp, "utf8");
  res.headers.set("Content-Length", String(body.length));
  return new SipResponse(res.status, res.reason, res.headers, body);
}
