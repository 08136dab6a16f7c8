/**
 * The typed events of edgesim: one union, each member with a timestamp, the host
 * that saw it, the 5-tuple where there is one, and the rule IDs
 * (docs/rules.md) that decided it. Components never import their
 * observer: they take an EventSink callback (pion/turn server_config.go style).
 */

export type Transport = "udp" | "tcp" | "tls" | "wss";

export interface FiveTuple {
  transport: Transport;
  srcAddress: string;
  srcPort: number;
  dstAddress: string;
  dstPort: number;
}

interface EventBase {
  /** Milliseconds since the Unix epoch (Date.now()). */
  ts: number;
  /** The simulated host name that saw the event ("edge1", "dns-external", "fabrikam-edge1"). */
  host: string;
  tuple?: FiveTuple;
  /** Rule IDs that decided this event, e.g. ["FED-6"]. Empty when no rule was involved. */
  rules: string[];
  /** The bytes this event saw on the wire (base64), for the pcap writer (harness/trace/pcap.ts); only when capture is on. */
  payload?: string;
}

export interface WorldStartingEvent extends EventBase { kind: "world.starting"; topology: string }
export interface WorldReadyEvent extends EventBase { kind: "world.ready"; elapsedMs: number; endpoints: number }
export interface WorldStoppedEvent extends EventBase { kind: "world.stopped" }
export interface ServiceListeningEvent extends EventBase { kind: "service.listening"; role: string; fqdn: string }
export interface DnsQueryEvent extends EventBase {
  kind: "dns.query";
  view: string;
  name: string;
  type: string;
  rcode: string;
  answers: string[];
}
export interface TlsHandshakeEvent extends EventBase {
  kind: "tls.handshake";
  ok: boolean;
  /** The peer certificate's subject alternative DNS names, when the peer presented one. */
  peerNames: string[];
  peerEku: string[];
  error?: string;
}
export interface SipEvent extends EventBase {
  kind: "sip.request" | "sip.response" | "sip.refused" | "sip.delivered" | "sip.malformed";
  method?: string;
  status?: number;
  callId?: string;
  from?: string;
  to?: string;
  detail: string;
}
export interface PolicyVerdictEvent extends EventBase {
  kind: "policy.verdict";
  allowed: boolean;
  summary: string;
  steps: { rule: string; text: string }[];
}
/** An address and port as seen on one leg. */
export interface Endpoint {
  address: string;
  port: number;
}
export interface StunEvent extends EventBase {
  kind: "stun.request" | "stun.response" | "stun.error" | "turn.allocation" | "turn.relay";
  detail: string;
  /** turn.allocation / turn.relay: the relayed transport address of the allocation concerned. */
  relayed?: Endpoint;
  /**
   * turn.allocation, HLB-3: the client now reaches its allocation at this address of the
   * edge (its own A/V address), where it used to reach it at `reachedBefore` (the VIP).
   */
  reachedAt?: Endpoint;
  reachedBefore?: Endpoint;
}
export interface XmppEvent extends EventBase {
  kind: "xmpp.stream" | "xmpp.stanza" | "xmpp.refused" | "xmpp.error";
  detail: string;
}
export interface LbEvent extends EventBase {
  kind: "lb.forward" | "lb.health" | "lb.failover";
  vip: string;
  backend?: string;
  detail: string;
}
export interface FirewallEvent extends EventBase {
  kind: "firewall.drop" | "firewall.pass";
  firewall: string;
  detail: string;
}
export interface NoteEvent extends EventBase { kind: "note"; detail: string }

export type EdgeEvent =
  | WorldStartingEvent
  | WorldReadyEvent
  | WorldStoppedEvent
  | ServiceListeningEvent
  | DnsQueryEvent
  | TlsHandshakeEvent
  | SipEvent
  | PolicyVerdictEvent
  | StunEvent
  | XmppEvent
  | LbEvent
  | FirewallEvent
  | NoteEvent;

export type EdgeEventKind = EdgeEvent["kind"];

/** The one way an event leaves a component. */
export type EventSink = (event: EdgeEvent) => void;

/** A sink that drops everything, for components used alone (tests of one codec, benches). */
export const noEvents: EventSink = () => {};
