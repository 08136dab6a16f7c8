/**
 * A NameResolver that asks one view of the sandbox DNS over real DNS packets
 * (node:dns Resolver with setServers). net/tls connects use dns.lookup, which
 * ignores setServers, so `lookup` is built on this resolver instead.
 *
 * PORT-5: the DNS server is behind the world's firewalls, which judge a query by
 * its source address, so a resolver asks from the address of the host it serves
 * (`localAddress`, node:dns setLocalAddress). Without one the kernel picks
 * 127.0.0.1, which the firewall model counts as the internet.
 */
import { promises as dnsPromises } from "node:dns";
import type { LookupFunction } from "node:net";
import { assertLoopback } from "../../edge/net/loopback.ts";
import { NameNotFoundError, type NameResolver, type SrvTarget } from "../../edge/net/resolver.ts";

export function createResolver(view: string, server: { address: string; port: number }, localAddress?: string): NameResolver {
  const r = new dnsPromises.Resolver({ timeout: 1500, tries: 2 });
  r.setServers([`${assertLoopback(server.address, "query DNS at")}:${server.port}`]);
  if (localAddress) r.setLocalAddress(assertLoopback(localAddress, "query DNS from"));
  const fail = (name: string, err: unknown): never => {
    throw new NameNotFoundError(name, (err as NodeJS.ErrnoException).code ?? "ERROR", view);
  };
  const resolveA = async (name: string): Promise<string[]> => {
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return [assertLoopback(name, "connect to")];
    const addresses = await r.resolve4(name).catch((err) => fail(name, err));
    return addresses.map((a) => assertLoopback(a, `connect to ${name} at`));
  };
  const resolveSrv = async (name: string): Promise<SrvTarget[]> => {
    const records = await r.resolveSrv(name).catch((err) => fail(name, err));
    return records.map((s) => ({ target: s.name, port: s.port, priority: s.priority, weight: s.weight }));
  };
  return { view, resolveA, resolveSrv, lookup: lookupVia(resolveA) };
}

/** A `lookup` for net.connect/tls.connect on top of a resolveA (so every connect resolves the way the resolver does). */
export function lookupVia(resolveA: (name: string) => Promise<string[]>): LookupFunction {
  return (hostname, options, callback) => {
    resolveA(hostname).then(
      (addresses) => {
        if ((options as { all?: boolean }).all) (callback as any)(null, addresses.map((address) => ({ address, family: 4 })));
        else callback(null, addresses[0]!, 4);
      },
      (err: NodeJS.ErrnoException) => {
        if (!err.code) err.code = "ENOTFOUND";
        callback(err, "", 4);
      },
    );
  };
}
