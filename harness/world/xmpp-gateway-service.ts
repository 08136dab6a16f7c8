/**
 * The XMPP gateway as a world service (XMPP-1, XMPP-4): on the first front end,
 * linked over mutual TLS (identity "frontend") to every edge's internal address on
 * 23456. Internal users are the gateway's own InternalUsers mailboxes until the
 * front-end pool's user API is wired in (docs/xmpp-federation.md).
 */
import { XmppGateway } from "../org/xmpp-gateway/gateway.ts";
import { InternalUsers } from "../org/xmpp-gateway/internal-side.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import type { RunningService, ServiceFactory } from "./service.ts";
import { PORTS } from "./ports.ts";

export interface XmppGatewayService extends RunningService {
  gateway: XmppGateway;
  users: InternalUsers;
}

export const xmppGatewayService: ServiceFactory = {
  name: "xmpp-gateway",
  describe: "XMPP gateway on the front end: internal SIP users <-> XMPP contacts over the 23456 link (issue 5)",
  async start(ctx): Promise<XmppGatewayService> {
    const org = ctx.topology.organisation;
    const fe = org.frontEndPool.servers[0]!;
    const users = new InternalUsers();
    const gateway = new XmppGateway({
      host: fe,
      poolFqdn: org.frontEndPool.fqdn,
      identity: ctx.pki.identity("frontend"),
      edges: org.edgePool.servers.map((edge) => {
        const a = ctx.plan.byHost(edge, "internal");
        return { address: a.address, port: ctx.mapPort(PORTS.xmppGateway), fqdn: a.fqdn ?? edge };
      }),
      config: federationConfigFromTopology(ctx.topology),
      events: ctx.events,
      side: users,
    });
    await gateway.start();
    return { name: "xmpp-gateway", endpoints: [], gateway, users, stop: async () => gateway.stop() };
  },
};
