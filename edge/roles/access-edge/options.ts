/** What an Access Edge server is given: its addresses, names, identities, DNS views and the federation configuration. */
import type { EventSink } from "../../events/types.ts";
import type { ConnectionGate } from "../../net/gate.ts";
import type { NameResolver } from "../../net/resolver.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import type { FederationConfig } from "../../policy/index.ts";
import type { SipLimits } from "../../wire/sip/index.ts";

export interface AccessEdgeOptions {
  /** The edge server's host name ("edge1"). */
  host: string;
  config: FederationConfig;
  external: {
    /** This edge's OWN external access address (never the VIP: the load balancer owns it). */
    address: string;
    /** The source of outbound federation connections; default `address`. With a load balancer, the VIP it source-NATs them to (seed 002 names the VIP as source). */
    outboundAddress?: string;
    /** This edge's own external FQDN (edge1-sip.contoso.test): Via, Record-Route, ms-diagnostics source. */
    fqdn: string;
    /** The pool's external access FQDN (sip.contoso.test, the Access VIP's name): an OPTIONS to it is for the edge itself (RFC 3261 11). */
    accessFqdn?: string;
    /** 5061: federation and public IM, mutual TLS. */
    federationPort: number;
    /** 443 (10443 unprivileged): remote users, server-auth TLS. */
    remotePort: number;
    /** SIP over secure WebSocket for remote users (RFC 7118); undefined: no WSS listener. */
    wssPort?: number;
    identity: TlsIdentity;
    resolver: NameResolver;
  };
  internal: {
    address: string;
    /** The source of connections to the front-end pool; default `address` (the internal VIP behind a load balancer). */
    outboundAddress?: string;
    /** edge1.contoso.test */
    fqdn: string;
    /** The edge pool's internal FQDN (edgepool.contoso.test, the internal VIP's name): an OPTIONS to it is for the edge itself. */
    edgePoolFqdn?: string;
    /** 5061, mutual TLS towards the front-end pool. */
    port: number;
    identity: TlsIdentity;
    resolver: NameResolver;
    /** The next hop for inbound traffic: the front-end pool FQDN and port (internal DNS view). */
    poolFqdn: string;
    poolPort: number;
  };
  events: EventSink;
  /** PORT-5: the firewalls around this edge; every accepted peer and every dial is checked. Default: none modelled. */
  gate?: ConnectionGate;
  /** RFC 2782 weighted choice; default Math.random. */
  random?: () => number;
  /** Timer F for forwarded requests (RFC 3261 17.1.2.2: 64*T1 = 32 s); default 32000. */
  transactionTimeoutMs?: number;
  /** Timer C of proxied INVITEs (RFC 3261 16.6 step 11: over 3 minutes); default 181000. */
  inviteTimeoutMs?: number;
  dialTimeoutMs?: number;
  limits?: Partial<SipLimits>;
  /** Clock for FED-11; default Date.now. */
  now?: () => number;
}
