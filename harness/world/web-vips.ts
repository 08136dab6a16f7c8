/**
 * The front-end pool's hardware load balancer for web services (MOB-5, seed 000:
 * "the web services VIPs on the HLB in front of the Front End pool use source
 * affinity"; cookie affinity "can still be used but is no longer required"). Two VIPs
 * in the internal zone, each forwarding to every front end of the pool:
 *   vip-web-internal  TCP 443 (the internal web FQDN, lyncdiscoverinternal)  -> each front end's 443
 *   vip-web-external  TCP 4443, 8080 (what the reverse proxy publishes: RP-1, PORT-4)  -> 4443, 8080
 * organisation.frontEndPool.webAffinity decides how:
 *   source  layer 4 (edge/lb/vip.ts, SnatStrategy): a client address keeps its server;
 *   cookie  layer 7 (edge/lb/http-vip.ts): the balancer holds the pool certificate,
 *           reads its persistence cookie and sets it on a session's first answer;
 *   none    layer 4, round robin per connection: the misconfiguration that sends a
 *           UCWA session's next request to a server that does not hold it.
 * Behind the reverse proxy every external request comes from the proxy's internal
 * address, so source affinity keeps all of them on one server; cookie affinity spreads
 * them per client. Started by the "web" service right after the front ends listen.
 */
import { HttpVip } from "../../edge/lb/http-vip.ts";
import { SnatStrategy, Vip, tcpConnectProbe, type BackendTarget } from "../../edge/lb/index.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import { captureEnabled } from "../trace/capture.ts";
import { PORTS } from "./ports.ts";
import type { Endpoint, WorldContext } from "./service.ts";

export type WebVipHost = "vip-web-internal" | "vip-web-external";

export interface WebVips {
  affinity: "source" | "cookie" | "none";
  /** By plan host. */
  vips: Map<WebVipHost, Vip | HttpVip>;
  endpoints: Endpoint[];
  stop(): Promise<void>;
}

export interface WebVipOptions {
  healthIntervalMs?: number;
  /** Failed probes before a front end is out of rotation; default 3 (as the edge HLB). */
  fall?: number;
}

interface VipPlan {
  host: WebVipHost;
  ports: { port: number; tls: boolean }[];
}

export async function startWebVips(ctx: WorldContext, o: WebVipOptions = {}): Promise<WebVips> {
  const pool = ctx.topology.organisation.frontEndPool;
  const affinity = pool.webAffinity;
  const plans: VipPlan[] = [
    { host: "vip-web-internal", ports: [{ port: ctx.mapPort(PORTS.https), tls: true }] },
    { host: "vip-web-external", ports: [{ port: PORTS.webInternal, tls: true }, { port: PORTS.webHttpInternal, tls: false }] },
  ];
  const vips = new Map<WebVipHost, Vip | HttpVip>();
  const endpoints: Endpoint[] = [];
  const stop = async () => void (await Promise.all([...vips.values()].map((v) => v.stop())));
  try {
    for (const p of plans) {
      const vip = await startOne(ctx, p, affinity, o);
      vips.set(p.host, vip);
      const a = ctx.plan.byHost(p.host);
      for (const ep of vip.endpoints) endpoints.push({ host: p.host, role: `web-vip-${affinity}`, fqdn: a.fqdn ?? p.host, address: ep.address, port: ep.port, transport: ep.transport, vip: true });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { affinity, vips, endpoints, stop };
}

function startOne(ctx: WorldContext, p: VipPlan, affinity: WebVips["affinity"], o: WebVipOptions): Promise<Vip | HttpVip> {
  const servers = ctx.topology.organisation.frontEndPool.servers;
  const address = ctx.plan.byHost(p.host).address;
  const backends = (port: number): BackendTarget[] => servers.map((fe) => ({ server: fe, target: { address: ctx.plan.byHost(fe).address, port } }));
  // Probe the first port the VIP forwards (a front end's web server answers all three or none).
  const probe = tcpConnectProbe((fe) => ({ address: ctx.plan.byHost(fe).address, port: p.ports[0]!.port }), address, 2000);
  const common = { name: p.host, address, servers, events: ctx.events, gate: worldFirewall(ctx).gate, probe, healthIntervalMs: o.healthIntervalMs ?? 2000, fall: o.fall ?? 3 };
  if (affinity === "cookie")
    return HttpVip.start({ ...common, identity: ctx.pki.identity("frontend"), serverName: ctx.topology.organisation.frontEndPool.fqdn, listeners: p.ports.map(({ port, tls }) => ({ port, tls, backends: backends(port) })) });
  return Vip.start({
    ...common, strategy: new SnatStrategy({}, ["MOB-5"]), affinity, capture: captureEnabled(ctx.events),
    listeners: p.ports.map(({ port }) => ({ port, transport: "tcp" as const, backends: backends(port) })),
  });
}
