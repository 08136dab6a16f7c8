/**
 * The XMPP proxy as a world service (XMPP-1): one per Edge server, on that edge's
 * own external access address, TCP 5269 (the hlb service forwards the Access VIP's
 * 5269 to these), and its internal address, TCP 23456 (mutual TLS, PORT-3). The
 * pool shares one dialback secret, so any edge answers db:verify for a key another
 * edge sent (XEP-0185). Started even when EnableXmppFederation is off: then every
 * partner is refused with policy-violation, which is what the product does.
 * Behind the world's firewalls (PORT-5): the 5269 listener, the 23456 listener and
 * every dial to a partner go through `worldFirewall(ctx).gate`; dials leave from
 * edgeOutboundAddress (with a load balancer the Access VIP, which seed 002's
 * 002-ext-vip-xmpp-out names as the source; with DNS load balancing the edge's own
 * external access address). DNS is still asked from the edge's own address.
 */
import { randomBytes } from "node:crypto";
import { XmppProxy } from "../../edge/roles/xmpp-proxy/proxy.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import { edgeOutboundAddress } from "./edge-outbound.ts";
import type { Endpoint, RunningService, ServiceFactory } from "./service.ts";
import { PORTS } from "./ports.ts";

export interface XmppProxyService extends RunningService {
  proxies: XmppProxy[];
}

export const xmppProxyService: ServiceFactory = {
  name: "xmpp-proxy",
  describe: "XMPP proxy on each edge: s2s TCP 5269 on the access address, gateway link TCP 23456 internal (issue 5)",
  async start(ctx): Promise<XmppProxyService> {
    const t = ctx.topology;
    const org = t.organisation;
    const config = federationConfigFromTopology(t);
    const secret = randomBytes(24).toString("hex");
    const gatewayNames = [org.frontEndPool.fqdn, ...org.frontEndPool.servers.map((s) => `${s}.${org.sipDomains[0]}`)];
    const proxies: XmppProxy[] = [];
    const endpoints: Endpoint[] = [];
    try {
      for (const edge of org.edgePool.servers) {
        const ext = ctx.plan.byHost(edge, "external-access");
        const int = ctx.plan.byHost(edge, "internal");
        const proxy = new XmppProxy({
          host: edge,
          domains: org.sipDomains,
          config,
          enabled: t.federation.EnableXmppFederation,
          resolver: ctx.resolverFor("external", ext.address),
          events: ctx.events,
          dialbackSecret: secret,
          gate: worldFirewall(ctx).gate,
          external: { identity: ctx.pki.identity("edge-external"), listen: [{ address: ext.address, port: ctx.mapPort(PORTS.xmppS2s) }], localAddress: edgeOutboundAddress(ctx, edge, "external") },
          internal: { identity: ctx.pki.identity("edge-internal"), listen: [{ address: int.address, port: ctx.mapPort(PORTS.xmppGateway) }], gatewayNames },
        });
        await proxy.start();
        proxies.push(proxy);
        endpoints.push(
          { host: edge, role: "xmpp", fqdn: ext.fqdn ?? edge, address: ext.address, port: ctx.mapPort(PORTS.xmppS2s), transport: "tcp", vip: false },
          { host: edge, role: "xmpp-gateway-link", fqdn: int.fqdn ?? edge, address: int.address, port: ctx.mapPort(PORTS.xmppGateway), transport: "tls", vip: false },
        );
      }
    } catch (err) {
      await Promise.all(proxies.map((p) => p.stop()));
      throw err;
    }
    return { name: "xmpp-proxy", endpoints, proxies, stop: async () => void (await Promise.all(proxies.map((p) => p.stop()))) };
  },
};
