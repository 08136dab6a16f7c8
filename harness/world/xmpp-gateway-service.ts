/**
 * The XMPP gateway as a world service (XMPP-1, XMPP-4): on the first front end,
 * linked over mutual TLS (identity "frontend") to every edge's internal address on
 * 23456. IM goes to the front-end pool's users when the "frontend" service runs
 * (FrontEndImSide), else to the gateway's own InternalUsers mailboxes; presence
 * always to the mailboxes (docs/xmpp-federation.md). The links leave from the
 * front end's own address through the world's firewalls (PORT-5): seed 002's
 * 002-int-node-xmpp-23456 lets the front end reach the edges' internal interfaces.
 */
import { XmppGateway, XmppGatewayStartError } from "../org/xmpp-gateway/gateway.ts";
import { InternalUsers, type InternalImSide } from "../org/xmpp-gateway/internal-side.ts";
import { FrontEndImSide } from "../org/xmpp-gateway/frontend-side.ts";
import { frontEndOf } from "./frontend-service.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import type { RunningService, ServiceFactory } from "./service.ts";
import { PORTS } from "./ports.ts";
import { worldFirewall } from "../net/world-firewall.ts";

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
    // With the front-end pool running, IM goes to its users (their SIP inboxes); else to the gateway's mailboxes.
    let side: InternalImSide = users;
    if (ctx.running.has("frontend")) side = new FrontEndImSide(frontEndOf(ctx), users, (im, condition, text) => gateway.failDelivery(im, condition, text));
    const gateway = new XmppGateway({
      host: fe,
      poolFqdn: org.frontEndPool.fqdn,
      identity: ctx.pki.identity("frontend"),
      edges: org.edgePool.servers.map((edge) => {
        const a = ctx.plan.byHost(edge, "internal");
        return { address: a.address, port: ctx.mapPort(PORTS.xmppGateway), fqdn: a.fqdn ?? edge };
      }),
      localAddress: ctx.plan.byHost(fe).address,
      gate: worldFirewall(ctx).gate,
      config: federationConfigFromTopology(ctx.topology),
      events: ctx.events,
      side,
    });
    try {
      await gateway.start();
    } catch (err) {
      // PORT-5: when the firewalls drop every link (XMPP federation off: the minimal plan opens no 23456),
      // the world still starts; the gateway says why it has no edge and its links keep retrying.
      const dropped = err instanceof XmppGatewayStartError && err.failures.length > 0 && err.failures.every((f) => f.startsWith("PORT-5"));
      if (!dropped) {
        gateway.stop();
        throw err;
      }
      ctx.events({ kind: "note", ts: Date.now(), host: fe, rules: ["PORT-5", "XMPP-1"], detail: `the XMPP gateway has no link to an edge: ${err.failures.join("; ")}` });
    }
    // Internal SIP users' IM to the XMPP allowed partners goes to this gateway, not to SIP federation (XMPP-1).
    if (ctx.running.has("frontend"))
      frontEndOf(ctx).routeDomainsTo(ctx.topology.federation.xmppAllowedPartners.map((p) => p.Identity), async (from, to, text) => {
        const r = gateway.sendIm(from, to, text);
        if (r.ok) return { status: 200, reason: "OK (handed to the XMPP gateway)" };
        return { status: r.rule === "XMPP-1" ? 503 : 403, reason: r.rule === "XMPP-1" ? "Service Unavailable" : "Forbidden", diagnostics: { code: r.code ?? 0, text: r.reason.startsWith(`${r.rule}:`) ? r.reason : `${r.rule}: ${r.reason}` } };
      });
    return { name: "xmpp-gateway", endpoints: [], gateway, users, stop: async () => gateway.stop() };
  },
};
