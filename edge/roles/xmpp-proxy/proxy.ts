/**
 * The XMPP proxy of one Edge server (XMPP-1): server-to-server streams on TCP 5269
 * on the Access Edge's external address (S2sNode, with the XMPP-2 allowed-partner
 * policy), and the internal link on 23456 to the front end's XMPP gateway. Stanzas
 * from partners go to the gateway; stanzas from the gateway go out by domain.
 * When no gateway is connected, a partner's stanza is answered with
 * service-unavailable instead of vanishing. Both sides open their sockets through
 * the `gate` (PORT-5): the 5269 listener and dials (002-ext-vip-xmpp-in/-out) and
 * the 23456 listener (002-int-node-xmpp-23456).
 */
import type { EventSink } from "../../events/types.ts";
import type { ConnectionGate } from "../../net/gate.ts";
import type { NameResolver } from "../../net/resolver.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import type { FederationConfig } from "../../policy/config.ts";
import { buildStanzaErrorReply } from "../../wire/xmpp/stanza-error.ts";
import { S2sNode } from "./s2s-node.ts";
import { InternalLinkServer } from "./internal-link.ts";
import { decideXmppStreamPartner } from "./partner-policy.ts";

export interface ListenAddress {
  address: string;
  port: number;
}

export interface XmppProxyOptions {
  host: string;
  /** Our XMPP domains: the SIP domains (DNS-3 publishes _xmpp-server._tcp for each). */
  domains: string[];
  config: FederationConfig;
  /** EnableXmppFederation. */
  enabled: boolean;
  resolver: NameResolver;
  events: EventSink;
  dialbackSecret: string;
  /** localAddress: the source of dials to partners (with a load balancer the Access VIP, seed 002's 002-ext-vip-xmpp-out). */
  external: { identity: TlsIdentity; listen: ListenAddress[]; localAddress: string };
  internal: { identity: TlsIdentity; listen: ListenAddress[]; gatewayNames: string[] };
  negotiationTimeoutMs?: number;
  maxStanzaBytes?: number;
  /** PORT-5: the firewalls between this edge and its peers, on every listener and dial. Default: none modelled. */
  gate?: ConnectionGate;
}

export class XmppProxy {
  readonly node: S2sNode;
  readonly link: InternalLinkServer;
  private config: FederationConfig;

  constructor(private readonly options: XmppProxyOptions) {
    this.config = options.config;
    this.link = new InternalLinkServer({
      host: options.host,
      identity: options.internal.identity,
      gatewayNames: options.internal.gatewayNames,
      events: options.events,
      ...(options.gate ? { gate: options.gate } : {}),
      onStanza: (s) => this.node.send(s),
    });
    this.node = new S2sNode({
      host: options.host,
      domains: options.domains,
      identity: options.external.identity,
      resolver: options.resolver,
      events: options.events,
      dialbackSecret: options.dialbackSecret,
      localAddress: options.external.localAddress,
      ...(options.gate ? { gate: options.gate } : {}),
      decide: (domain) => decideXmppStreamPartner(this.config, options.enabled, domain),
      deliver: (stanza, meta) => {
        if (this.link.deliver(stanza)) return;
        const reply = buildStanzaErrorReply(stanza, "service-unavailable", { text: "XMPP-1: no XMPP gateway is connected to this Edge" });
        options.events({ kind: "xmpp.refused", ts: Date.now(), host: options.host, rules: ["XMPP-1"], detail: `no gateway link: ${stanza.name} from ${stanza.attr("from") ?? "?"} answered service-unavailable` });
        if (reply && meta.method !== "bounce") this.node.send(reply);
      },
      ...(options.negotiationTimeoutMs ? { negotiationTimeoutMs: options.negotiationTimeoutMs } : {}),
      ...(options.maxStanzaBytes ? { maxStanzaBytes: options.maxStanzaBytes } : {}),
    });
  }

  /**
   * A changed XMPP allowed-partner list (Set-CsXmppAllowedPartner). The product
   * applies it to new connections; edgesim also closes the existing streams so the
   * change shows at once (the negotiation matrix relies on this).
   */
  reconfigure(config: FederationConfig): void {
    this.config = config;
    this.node.resetStreams();
  }

  async start(): Promise<void> {
    for (const l of this.options.external.listen) await this.node.listen(l.address, l.port);
    for (const l of this.options.internal.listen) await this.link.listen(l.address, l.port);
  }

  async stop(): Promise<void> {
    await this.link.stop();
    await this.node.stop();
  }
}
