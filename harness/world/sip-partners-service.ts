/**
 * SIP partner organisations as a world service ("sip-partners", issue 3): one
 * SipPartner per topology partner whose product speaks SIP (XMPP partners are the
 * XMPP service's), each edge on its planned internet address with its PKI identity
 * (partner:<domain>:<edge>), resolving through the external DNS view.
 */
import { SipPartner, type SipPartnerProduct } from "../../partners/sip/index.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import { PORTS } from "./ports.ts";
import type { Endpoint, RunningService, ServiceFactory } from "./service.ts";

export interface RunningSipPartners extends RunningService {
  partners: Map<string, SipPartner>;
}

export const sipPartnersService: ServiceFactory = {
  name: "sip-partners",
  describe: "SIP partner organisations with their own edges and users (issue 3)",
  async start(ctx): Promise<RunningSipPartners> {
    const partners = new Map<string, SipPartner>();
    const endpoints: Endpoint[] = [];
    try {
      for (const p of ctx.topology.partners) {
        if (p.product === "xmpp") continue;
        const short = p.domain.split(".")[0]!;
        const edges = p.edges.map((e) => {
          const a = ctx.plan.byHost(`${short}-${e.name}`);
          return { name: e.name, host: a.host, fqdn: e.fqdn, address: a.address, port: PORTS.sipMtls, identity: ctx.pki.identity(`partner:${p.domain}:${e.name}`) };
        });
        const partner = new SipPartner({
          domain: p.domain, product: p.product as SipPartnerProduct, domains: [p.domain, ...p.hostedDomains], users: p.users, edges,
          ...(p.claimsDomain ? { claimsDomain: p.claimsDomain } : {}), resolver: ctx.resolverFor("external", edges[0]!.address), events: ctx.events, gate: worldFirewall(ctx).gate,
        });
        await partner.start();
        partners.set(p.domain, partner);
        for (const e of edges) endpoints.push({ host: e.host, role: "partner", fqdn: e.fqdn, address: e.address, port: e.port, transport: "tls", vip: false });
      }
    } catch (err) {
      for (const p of partners.values()) await p.stop();
      throw err;
    }
    return {
      name: "sip-partners",
      partners,
      endpoints,
      stop: async () => {
        for (const p of partners.values()) await p.stop();
      },
    };
  },
};

/** A running SIP partner by domain (or a hosted domain). */
export function sipPartnerOf(world: { service(name: string): RunningService }, domain: string): SipPartner {
  const s = world.service("sip-partners") as RunningSipPartners;
  const p = s.partners.get(domain) ?? [...s.partners.values()].find((x) => x.o.domains.includes(domain));
  if (!p) throw new RangeError(`no SIP partner serves ${domain} (partners: ${[...s.partners.keys()].join(", ")})`);
  return p;
}
