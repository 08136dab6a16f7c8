/** What the harness hands a SIP partner organisation: no harness types, only injected pieces. */
import type { EventSink } from "../../edge/events/types.ts";
import type { ConnectionGate } from "../../edge/net/gate.ts";
import type { NameResolver } from "../../edge/net/resolver.ts";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";

export type SipPartnerProduct = "lync2013" | "lync2010" | "ocs2007" | "ocs2007r2" | "publicIm" | "hostingProvider";

export interface PartnerEdgeSpec {
  /** "edge1" */
  name: string;
  /** The simulated host, e.g. "fabrikam-edge1". */
  host: string;
  fqdn: string;
  address: string;
  port: number;
  identity: TlsIdentity;
}

export interface SipPartnerOptions {
  domain: string;
  product: SipPartnerProduct;
  /** Every domain this partner serves (its own plus hosted ones, FED-5). */
  domains: string[];
  users: string[];
  edges: PartnerEdgeSpec[];
  /** FED-10: the partner sends From this domain instead of its own. */
  claimsDomain?: string;
  /** The internet's view of DNS. */
  resolver: NameResolver;
  events: EventSink;
  /** PORT-5: the firewalls between the partner and the organisation (checked on its dials and accepts). Default: none modelled. */
  gate?: ConnectionGate;
  /** RFC 2782 weighted choice; inject for deterministic order. */
  random?: () => number;
  requestTimeoutMs?: number;
}
