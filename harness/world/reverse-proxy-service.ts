/**
 * "reverse-proxy": the HTTPS reverse proxy on the perimeter (RP-1, PORT-4),
 * external 443/80 on its external address, dialling the pool from its internal
 * address. Each publishing rule's pool is reached through the front-end HLB's
 * external web services VIP (seed 004: "front end pool VIP" on 4443/8080), whose
 * affinity keeps a session on one front end (MOB-5, web-vips.ts): the proxy itself
 * sends everything to that one address. Without a running "web" service (a world
 * started without it) the proxy falls back to the pool's servers from its HOSTS
 * file (no seed opens DNS from the perimeter to the internal DNS, PORT-4/PORT-5:
 * harness/dns/hosts-file-resolver.ts) and its own cookie affinity.
 */
import { ReverseProxy } from "../rp/reverse-proxy.ts";
import type { Backend } from "../rp/affinity.ts";
import { publishingRules } from "../rp/publishing.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import { perimeterHostsFile } from "../dns/hosts-file-resolver.ts";
import type { RunningService, ServiceFactory } from "./service.ts";

export interface RunningReverseProxy extends RunningService {
  proxy: ReverseProxy;
}

export const reverseProxyService: ServiceFactory = {
  name: "reverse-proxy",
  describe: "HTTPS reverse proxy publishing the pool's web services, autodiscover and simple URLs (issue 6)",
  async start(ctx): Promise<RunningReverseProxy> {
    const viaVip = ctx.running.has("web");
    const backends = new Map<string, Backend[]>();
    for (const pool of new Set(publishingRules(ctx.topology).map((r) => r.pool))) {
      if (viaVip) {
        backends.set(pool, [{ name: "vip-web-external", address: ctx.plan.byHost("vip-web-external").address }]);
        continue;
      }
      const addresses = await perimeterHostsFile(ctx.topology, ctx.plan).resolveA(pool);
      backends.set(pool, addresses.map((address) => ({ name: ctx.plan.find((e) => e.address === address)[0]?.host ?? address, address })));
    }
    const external = ctx.plan.byHost("reverse-proxy", "external");
    const proxy = new ReverseProxy({
      topology: ctx.topology, externalAddress: external.address, internalAddress: ctx.plan.byHost("reverse-proxy", "internal").address,
      identity: ctx.pki.identity("reverse-proxy"), gate: worldFirewall(ctx).gate, events: ctx.events, mapPort: ctx.mapPort, backends,
      // One backend (the VIP) needs no choice; the balancer keeps the affinity (MOB-5).
      affinity: viaVip ? "none" : "cookie",
    });
    await proxy.start();
    const fqdn = external.fqdn ?? ctx.topology.organisation.externalWebFqdn;
    return {
      name: "reverse-proxy",
      proxy,
      endpoints: [
        { host: "reverse-proxy", role: "reverse-proxy-https", fqdn, address: external.address, port: proxy.ports.https, transport: "tls", vip: false },
        { host: "reverse-proxy", role: "reverse-proxy-http", fqdn, address: external.address, port: proxy.ports.http, transport: "tcp", vip: false },
      ],
      stop: () => proxy.stop(),
    };
  },
};
