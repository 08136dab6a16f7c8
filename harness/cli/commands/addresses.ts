/**
 * `edgesim addresses`: the HLB-4 calculator. An edge pool needs, per external role
 * (Access, Web Conferencing, A/V), one public IP per server interface plus one per
 * VIP: N + 1 per role with a hardware load balancer (two servers, three roles:
 * 3 x (2 + 1) = 9), N per role with DNS load balancing (no VIPs). The XMPP proxy
 * shares the Access Edge address (XMPP-1) and needs none of its own. The addresses
 * listed are the plan's, and the edges' default gateway is printed (HLB-5).
 */
import type { Command } from "commander";
import { loadTopology } from "../../topology/registry.ts";
import type { Topology } from "../../topology/schema.ts";
import { buildAddressPlan, type AddressPlan } from "../../world/address-plan.ts";
import { edgeRoutes } from "../../world/edge-routes.ts";
import { formatTable } from "../table.ts";

export const PUBLIC_ROLES = [
  { role: "access", iface: "external-access", vip: "vip-access" },
  { role: "webconf", iface: "external-webconf", vip: "vip-webconf" },
  { role: "av", iface: "external-av", vip: "vip-av" },
] as const;

export interface PublicAddress {
  role: string;
  kind: "server interface" | "VIP";
  host: string;
  address: string;
  fqdn: string;
}

export interface AddressCount {
  servers: number;
  roles: number;
  vips: number;
  total: number;
  formula: string;
  addresses: PublicAddress[];
}

export function publicAddresses(t: Topology, plan: AddressPlan = buildAddressPlan(t)): AddressCount {
  const pool = t.organisation.edgePool;
  const hlb = pool.loadBalancing === "hlb";
  const addresses: PublicAddress[] = [];
  for (const r of PUBLIC_ROLES) {
    for (const edge of pool.servers) {
      const a = plan.byHost(edge, r.iface);
      addresses.push({ role: r.role, kind: "server interface", host: edge, address: a.address, fqdn: a.fqdn ?? "" });
    }
    if (hlb) {
      const v = plan.byHost(r.vip);
      addresses.push({ role: r.role, kind: "VIP", host: r.vip, address: v.address, fqdn: v.fqdn ?? "" });
    }
  }
  const n = pool.servers.length;
  const roles = PUBLIC_ROLES.length;
  const vips = hlb ? roles : 0;
  const formula = hlb ? `${roles} roles x (${n} servers + 1 VIP) = ${roles * (n + 1)}` : `${roles} roles x ${n} servers (DNS load balancing: no VIPs) = ${roles * n}`;
  return { servers: n, roles, vips, total: addresses.length, formula, addresses };
}

export function registerAddresses(program: Command): void {
  program
    .command("addresses")
    .description("HLB-4: how many public IPs the edge pool needs, and which (one per server interface plus one per VIP)")
    .option("-t, --topology <name|file>", "topology name or YAML file", "contoso")
    .option("--json", "print JSON")
    .action((opts: { topology: string; json?: boolean }) => {
      const t = loadTopology(opts.topology);
      const plan = buildAddressPlan(t);
      const count = publicAddresses(t, plan);
      const gateway = edgeRoutes(t, plan).filter((r) => r.destination === "default");
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...count, defaultGateways: gateway }, null, 2) + "\n");
        return;
      }
      process.stdout.write(`${formatTable(["role", "kind", "host", "address", "fqdn"], count.addresses.map((a) => [a.role, a.kind, a.host, a.address, a.fqdn]))}\n\n`);
      process.stdout.write(`HLB-4: ${count.total} public IPs: ${count.formula}\n`);
      for (const g of gateway)
        process.stdout.write(`${g.rules[0]}: ${g.edge}'s default gateway is ${g.via ? `${g.viaHost} ${g.via}` : "the external firewall (not modelled)"}; internal networks via persistent static routes\n`);
    });
}
