/**
 * The firewall model as data (PORT-1..PORT-5): four zones, two firewalls between
 * them, and rule lists. Pure: no sockets. The harness computes the rules from a
 * topology (harness/net/port-plan.ts); edge/net/gate.ts enforces them on sockets.
 *
 *   internet | external firewall | perimeterExternal - perimeterInternal | internal firewall | internal
 */
export type FwZone = "internet" | "perimeterExternal" | "perimeterInternal" | "internal";
export type FirewallName = "external" | "internal";
export type FwProtocol = "tcp" | "udp";
/** Inbound: towards the more trusted side (internet -> perimeter, perimeter -> internal); the seeds' wording. */
export type Direction = "inbound" | "outbound";

/** A source or destination: "any", or named hosts with their addresses (or a whole zone's prefix). */
export interface Selector {
  /** What the seed calls it, in English ("Access Edge service public IP address"). */
  label: string;
  /** Empty: any address. Otherwise exact addresses or prefixes ending in "." (127.10.). */
  addresses: string[];
}

/** Where a rule comes from: a seed's table and row, with the seed's own (Korean) text. */
export interface SeedRow {
  /** "002-external-nodes", "002-internal-nodes", "002-external-vips", "002-internal-vips", "004-external", "004-internal", or "extra". */
  table: string;
  row: number;
  source: string;
  destination: string;
  note: string;
}

export interface FirewallRule {
  /** Stable ID, e.g. "002-ext-vip-5061-in": what traces and `edgesim ports` name. */
  id: string;
  firewall: FirewallName;
  direction: Direction;
  protocol: FwProtocol;
  /** Destination port range, inclusive. */
  ports: [number, number];
  /** The seed's "role/protocol/TCP or UDP/port" column, e.g. "Access/HTTP/TCP/80". */
  label: string;
  source: Selector;
  destination: Selector;
  /** English note (the seed's note, translated). */
  note: string;
  /** The feature that needs it (PORT-5: open only what enabled features need). */
  feature: string;
  /** Rule IDs of docs/rules.md this rule implements. */
  rules: string[];
  seed?: SeedRow;
}

/** How internal clients reach the reverse proxy's external address (MOB-3). */
export type HairpinMode = "reverse-proxy" | "external-firewall";

export interface FirewallModel {
  /** Address prefix of each zone, e.g. internal -> "127.10." (a /16 of 127.0.0.0/8). */
  zones: Record<FwZone, string>;
  /** The rules in force. */
  rules: FirewallRule[];
  /** Every rule the topology could need (all features): names the missing rule on a drop. */
  catalogue: FirewallRule[];
  hairpin: HairpinMode;
  /**
   * Addresses outside the zones' prefixes that stand for the internet at large:
   * the machine's own 127.0.0.1, the source of every real peer that cannot pick
   * one (Prosody's s2s dials, sip.js in a browser or a test, dig). They are held
   * to the internet's rules like any partner; any other unplanned address is in
   * no zone and dropped.
   */
  internetAliases: string[];
}

export interface ConnectionMeta {
  /** The simulated host that dials or accepts, for traces. */
  host: string;
  /** What the connection is for ("autodiscover over HTTPS"), for traces. */
  purpose?: string;
}

export interface FirewallDecision {
  allowed: boolean;
  /** The firewall that passed or dropped it; undefined when no firewall lies between the two zones. */
  firewall?: FirewallName;
  /** The rule that let it through, or on a drop the rule that would have (from the catalogue) if known. */
  rule?: FirewallRule;
  /** On a drop: the rule that is missing, in words. */
  missing?: string;
  /** Rule IDs for the trace: PORT-5 on every drop, plus the missing rule's IDs. */
  rules: string[];
  detail: string;
}
