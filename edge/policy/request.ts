/**
 * What the Access Edge knows about one federated SIP request when it asks the
 * policy engine. The engine does no I/O: the caller has already done the TLS
 * handshake (peer certificate names) and, for inbound discovered/allowed-domain
 * traffic, the SRV lookup of the sender's domain (DNS-1).
 */

/** outbound: one of our users -> a federated domain; inbound: a federated peer -> one of our users. */
export type Direction = "outbound" | "inbound";

export interface PeerIdentity {
  /** CERT-2: the peer certificate's SAN DNS names plus its subject CN. */
  certificateNames: string[];
  /**
   * FED-10 for FED-2/FED-3: the targets of `_sipfederationtls._tcp.<sender domain>`
   * as the caller resolved them. Undefined: not resolved (DNS failure); []: no record.
   */
  srvTargetsForSenderDomain?: string[];
}

export interface PolicyRequest {
  direction: Direction;
  /** The From URI: our user (outbound) or the remote party (inbound). */
  from: string;
  /** The To / Request-URI: the remote party (outbound) or our user (inbound). */
  to: string;
  /** SIP method (INVITE, MESSAGE, SUBSCRIBE, ...). Only recorded in the trace. */
  method: string;
  /** Inbound only: who connected to us. */
  peer?: PeerIdentity;
  /**
   * FED-7, inbound: whether the previous hop marked the message as coming from a
   * verified source (UseSourceVerification). Undefined: no marking present.
   */
  sourceVerified?: boolean;
  /** FED-7, inbound: the recipient's current contacts, when fresher than the config's. */
  recipientContacts?: string[];
  /** Milliseconds (caller's clock) for FED-11 throttling; never read from Date.now() here. */
  now: number;
}
