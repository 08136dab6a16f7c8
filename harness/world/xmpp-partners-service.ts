/**
 * XMPP partner domains as a world service: every partner with product "xmpp" runs
 * as edgesim's minimal XMPP server (fast), or as real Prosody when
 * EDGESIM_XMPP_PARTNER says so, on the partner edge's address from the plan:
 * c2s 5222 for @xmpp/client users, s2s 5269 (the partner's _xmpp-server._tcp SRV
 * target, DNS-3). Users sign in with password PARTNER_PASSWORD (sandbox only).
 * The minimal server is behind the world's firewalls (PORT-5): its listeners and
 * dials from the partner's planned internet address go through the gate. Prosody
 * opens its own sockets and dials from 127.0.0.1 (the internet's alias): the
 * gated listeners and VIPs it reaches check it.
 */
import type { Topology } from "../topology/schema.ts";
import type { RunningService, ServiceFactory, WorldContext, Endpoint } from "./service.ts";
import { PORTS } from "./ports.ts";
import { worldFirewall } from "../net/world-firewall.ts";
import { MiniXmppServer } from "../../partners/xmpp/mini-server.ts";
import { ProsodyPartner, type ProsodyProfile } from "../../partners/xmpp/prosody.ts";

export const PARTNER_PASSWORD = "edgesim";
export const C2S_PORT = 5222;
export type XmppPartnerKind = "mini" | "prosody";

export interface StartedXmppPartner {
  domain: string;
  kind: XmppPartnerKind;
  host: string;
  address: string;
  c2sPort: number;
  s2sPort: number;
  /** The minimal server itself (kind "mini"): scenarios and tests reset its streams or read its node. */
  mini?: MiniXmppServer;
  stop(): Promise<void>;
}

export interface XmppPartnersService extends RunningService {
  partners: StartedXmppPartner[];
}

export function xmppPartnerDomains(t: Topology): Topology["partners"] {
  return t.partners.filter((p) => p.product === "xmpp");
}

/** Starts one XMPP partner domain (its first edge) with the given implementation. */
export async function startXmppPartner(ctx: WorldContext, domain: string, kind: XmppPartnerKind, extra: { profile?: ProsodyProfile; prosodyOptions?: Record<string, string> } = {}): Promise<StartedXmppPartner> {
  const p = ctx.topology.partners.find((x) => x.domain === domain);
  if (!p) throw new RangeError(`the topology has no partner ${domain}`);
  const edge = p.edges[0]!;
  const host = `${domain.split(".")[0]}-${edge.name}`;
  const address = ctx.plan.byHost(host).address;
  const identity = ctx.pki.identity(`partner:${domain}:${edge.name}`);
  const users = Object.fromEntries(p.users.map((u) => [u.split("@")[0]!.replace(/^sip:/, ""), PARTNER_PASSWORD]));
  const s2sPort = ctx.mapPort(PORTS.xmppS2s);
  const base = { domain, kind, host, address, c2sPort: C2S_PORT, s2sPort };
  if (kind === "mini") {
    const server = new MiniXmppServer({ host, domain, address, c2sPort: C2S_PORT, s2sPort, identity, resolver: ctx.resolverFor("external", address), events: ctx.events, users, gate: worldFirewall(ctx).gate });
    await server.start();
    return { ...base, mini: server, stop: () => server.stop() };
  }
  const dns = { address: ctx.plan.dns.external, port: ctx.mapPort(PORTS.dns) };
  const server = new ProsodyPartner({ domain, address, c2sPort: C2S_PORT, s2sPort, identity, caFile: ctx.pki.caFile, dns, users, events: ctx.events, host, ...(extra.profile ? { profile: extra.profile } : {}), ...(extra.prosodyOptions ? { extraGlobal: extra.prosodyOptions } : {}) });
  await server.start();
  return { ...base, stop: () => server.stop() };
}

export const xmppPartnersService: ServiceFactory = {
  name: "xmpp-partners",
  describe: "XMPP partner domains (edgesim's minimal server, or Prosody with EDGESIM_XMPP_PARTNER=prosody) (issue 5)",
  async start(ctx): Promise<XmppPartnersService> {
    const kind = (process.env.EDGESIM_XMPP_PARTNER ?? "mini") as XmppPartnerKind;
    if (!["mini", "prosody"].includes(kind)) throw new RangeError(`EDGESIM_XMPP_PARTNER must be mini or prosody, not '${kind}'`);
    const partners: StartedXmppPartner[] = [];
    try {
      for (const p of xmppPartnerDomains(ctx.topology)) partners.push(await startXmppPartner(ctx, p.domain, kind));
    } catch (err) {
      await Promise.all(partners.map((p) => p.stop()));
      throw err;
    }
    const endpoints: Endpoint[] = partners.flatMap((p) => [
      { host: p.host, role: "xmpp-c2s", fqdn: p.domain, address: p.address, port: p.c2sPort, transport: "tcp" as const, vip: false },
      { host: p.host, role: "xmpp-s2s", fqdn: p.domain, address: p.address, port: p.s2sPort, transport: "tcp" as const, vip: false },
    ]);
    return { name: "xmpp-partners", endpoints, partners, stop: async () => void (await Promise.all(partners.map((p) => p.stop()))) };
  },
};
