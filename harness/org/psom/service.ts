/** The PSOM-like conference service as a world service: one server per front end, on its internal address, port 8057 (PORT-3). */
import type { ServiceFactory } from "../../world/service.ts";
import { PORTS } from "../../world/ports.ts";
import { PsomServer } from "./server.ts";

export const psomService: ServiceFactory = {
  name: "psom",
  describe: "front-end PSOM-like conference service on 8057 (mutual TLS), for the Web Conferencing Edge",
  async start(ctx) {
    const org = ctx.topology.organisation;
    const servers: PsomServer[] = [];
    const endpoints = [];
    try {
      for (const fe of org.frontEndPool.servers) {
        const a = ctx.plan.byHost(fe, "internal");
        const s = new PsomServer({ host: fe, address: a.address, port: PORTS.psom, identity: ctx.pki.identity("frontend"), events: ctx.events });
        await s.start();
        servers.push(s);
        endpoints.push({ host: fe, role: "psom", fqdn: a.fqdn ?? fe, address: a.address, port: PORTS.psom, transport: "tls" as const, vip: false });
      }
    } catch (e) {
      await Promise.all(servers.map((s) => s.stop()));
      throw e;
    }
    return { name: "psom", endpoints, stop: async () => void (await Promise.all(servers.map((s) => s.stop()))) };
  },
};
