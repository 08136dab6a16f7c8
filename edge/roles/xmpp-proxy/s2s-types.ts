/**
 * The options of a server-to-server XMPP node (S2sNode): the XMPP proxy is one,
 * with the XMPP-2 allowed-partner list as its policy; the minimal partner server
 * of partners/xmpp is another, with an open policy.
 */
import type { EventSink } from "../../events/types.ts";
import type { ConnectionGate } from "../../net/gate.ts";
import type { NameResolver } from "../../net/resolver.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import type { XmlElement } from "../../wire/xmpp/xml-element.ts";
import type { StreamErrorCondition } from "../../wire/xmpp/stream-error.ts";
import type { S2sSettings } from "./negotiation.ts";

export type PartnerDecision =
  | { allowed: true; settings: S2sSettings; rules: string[]; detail: string; verifiable: boolean; proxyFqdn?: string }
  | { allowed: false; condition: StreamErrorCondition; rules: string[]; detail: string };

export interface InboundMeta {
  /** The authenticated sending domain. */
  domain: string;
  /** How the domain authenticated; "bounce" for an error we generated for a stanza we could not route. */
  method: "sasl" | "dialback" | "bounce";
  verifiable: boolean;
}

export interface S2sNodeOptions {
  /** Simulated host name for events ("edge1", "jabber-xmpp1"). */
  host: string;
  /** The domains this node serves (stream 'to' must be one of them, else host-unknown). */
  domains: string[];
  identity: TlsIdentity;
  resolver: NameResolver;
  events: EventSink;
  /** Shared by every node of a pool, so any of them can answer db:verify (XEP-0185). */
  dialbackSecret: string;
  /** XMPP-2: may we federate with this domain, and how? */
  decide(remoteDomain: string): PartnerDecision;
  /** An authenticated stanza for one of our domains. */
  deliver(stanza: XmlElement, meta: InboundMeta): void;
  /** Source address for outgoing connections (127.0.0.0/8): with a load balancer, the Access VIP (seed 002 names it as the source of 5269 out). */
  localAddress?: string;
  /**
   * PORT-5: the firewalls between this node and its peers. Every accepted peer is
   * checked before a byte is read (a dropped one is reset), every dial before its
   * first packet (a dropped dial bounces the queued stanzas naming the missing
   * rule). Default: none modelled (openGate).
   */
  gate?: ConnectionGate;
  /** Port when a domain has no _xmpp-server._tcp SRV record (RFC 6120 3.2.2 fallback): 5269. */
  fallbackPort?: number;
  /** Bound on connect + negotiation of one outgoing stream, default 8000 ms. */
  negotiationTimeoutMs?: number;
  /** Largest stanza accepted, default the parser's 64 KiB. */
  maxStanzaBytes?: number;
}
