/**
 * The front-end pool as a world service ("frontend", issue 3): mutual TLS 5061 on each
 * front end's planned address with the "frontend" identity, homing the topology's
 * users; federated traffic goes to the edge pool's internal FQDN (internal view).
 */
import { FrontEndPool } from "../org/frontend/index.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import { PORTS } from "./ports.ts";
import type { RunningService, ServiceFactory } from "./service.ts";

export interface RunningFrontEnd extends RunningService {
  pool: FrontEndPool;
}

export const frontendService: ServiceFactory = {
  name: "frontend",
  describe: "front-end pool: SIP home server of the organisation's users (issue 3)",
  async start(ctx): Promise<RunningFrontEnd> {
    const t = ctx.topology;
    const servers = t.organisation.frontEndPool.servers.map((host) => {
      const e = ctx.plan.byHost(host);
      return { host, address: e.address, fqdn: e.fqdn ?? `${host}.${t.organisation.sipDomains[0]}` };
    });
    const pool = new FrontEndPool({
      servers, port: PORTS.sipMtls, identity: ctx.pki.identity("frontend"), resolver: ctx.resolverFor("internal", servers[0]!.address),
      edgePoolFqdn: t.organisation.edgePool.internalFqdn, edgePort: PORTS.sipMtls, sipDomains: t.organisation.sipDomains,
      users: t.organisation.users.map((u) => ({ uri: u.uri, remote: u.remote })), events: ctx.events, gate: worldFirewall(ctx).gate,
    });
    await pool.start();
    return {
      name: "frontend",
      pool,
      endpoints: servers.map((s) => ({ host: s.host, role: "frontend", fqdn: s.fqdn, address: s.address, port: PORTS.sipMtls, transport: "tls" as const, vip: false })),
      stop: () => pool.stop(),
    };
  },
};

/** The running front-end pool of a world (or a world context). */
export function frontEndOf(world: { service(name: string): RunningService } | { running: Map<string, RunningService> }): FrontEndPool {
  const s = "running" in world ? world.running.get("frontend") : world.service("frontend");
  if (!s || !("pool" in s)) throw new RangeError("the world runs no front-end pool (service 'frontend')");
  return (s as RunningFrontEnd).pool;
}
