/**
 * The front end's user API (docs/access-edge.md), the same for users homed inside
 * (virtual users driven by the harness) and remote users signed in through the
 * Access Edge. The XMPP gateway uses it to deliver XMPP IM to internal SIP users.
 */
import type { Inbox, ReceivedMessage, SendResult } from "../../../partners/sip/index.ts";

export interface SipUser {
  /** user@domain, lower case. */
  readonly uri: string;
  /** Signs in from outside through the Access Edge (topology `remote: true`). */
  readonly remote: boolean;
  /** Send an IM (SIP MESSAGE, RFC 3428); resolves with the final response, never rejects for a SIP failure. */
  sendMessage(to: string, text: string, opts?: { contentType?: string; timeoutMs?: number }): Promise<SendResult>;
  /** Messages this user received: `for await (const m of user.inbox)`, `await user.inbox.next(ms)`, `user.inbox.onMessage(fn)`. */
  readonly inbox: Inbox<ReceivedMessage>;
}
