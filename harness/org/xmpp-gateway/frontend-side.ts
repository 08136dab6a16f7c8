/**
 * The gateway's internal side on the real front-end pool (harness/org/frontend):
 * a translated XMPP IM is handed to the pool as a SIP MESSAGE from the XMPP
 * contact's address (RFC 3428, text/plain), so a homed user finds it in their
 * inbox like any other IM. A refusal by the pool (404, 480, ...) is answered to the
 * XMPP sender as a stanza error. Presence and errors, which the pool's user API
 * does not carry yet, go to the gateway's own InternalUsers mailboxes.
 */
import type { StanzaErrorCondition } from "../../../edge/wire/xmpp/stanza-error.ts";
import type { InternalError, InternalImSide, InternalUsers } from "./internal-side.ts";
import { bareAddress, type InternalIm, type InternalPresence } from "./translate.ts";

export interface FrontEndSender {
  sendFrom(from: string, to: string, text: string, opts: { contentType?: string; timeoutMs?: number }): Promise<{ status: number; reason: string }>;
}

export type DeliveryFailure = (im: InternalIm, condition: StanzaErrorCondition, text: string) => void;

function conditionOf(status: number): StanzaErrorCondition {
  if (status === 404) return "item-not-found";
  if (status === 480 || status === 408) return "recipient-unavailable";
  if (status === 403) return "forbidden";
  return "service-unavailable";
}

export class FrontEndImSide implements InternalImSide {
  constructor(
    private readonly pool: FrontEndSender,
    private readonly mailboxes: InternalUsers,
    private readonly failed: DeliveryFailure,
  ) {}

  deliverIm(im: InternalIm): void {
    this.pool.sendFrom(bareAddress(im.from), bareAddress(im.to), im.body, { contentType: im.contentType }).then(
      (r) => {
        if (r.status >= 300) this.failed(im, conditionOf(r.status), `the front end answered ${r.status} ${r.reason}`);
      },
      (err: Error) => this.failed(im, "internal-server-error", `the front end failed: ${err.message}`),
    );
  }

  deliverPresence(presence: InternalPresence): void {
    this.mailboxes.deliverPresence(presence);
  }

  deliverError(error: InternalError): void {
    this.mailboxes.deliverError(error);
  }
}
