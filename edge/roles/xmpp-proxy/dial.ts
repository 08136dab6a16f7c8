/**
 * Finding and dialling a remote XMPP domain's server (DNS-3, RFC 6120 3.2):
 * `_xmpp-server._tcp.<domain>` SRV through the injected resolver, ordered per
 * RFC 2782; without SRV records the domain itself on port 5269 (3.2.2). Every
 * address is checked against 127.0.0.0/8 before the connect.
 */
import { connect, type Socket } from "node:net";
import { assertLoopback } from "../../net/loopback.ts";
import type { NameResolver } from "../../net/resolver.ts";
import { orderSrvTargets } from "../../policy/srv.ts";

export interface DialTarget {
  host: string;
  port: number;
  via: string;
}

export async function xmppTargets(resolver: NameResolver, domain: string, proxyFqdn: string | undefined, fallbackPort: number): Promise<DialTarget[]> {
  if (proxyFqdn) return [{ host: proxyFqdn, port: fallbackPort, via: `ProxyFqdn ${proxyFqdn}` }];
  const srvName = `_xmpp-server._tcp.${domain}`;
  try {
    const records = await resolver.resolveSrv(srvName);
    const ordered = orderSrvTargets(records, Math.random);
    if (ordered.length > 0) return ordered.map((r) => ({ host: r.target, port: r.port, via: `SRV ${srvName}` }));
  } catch {
    // No SRV record: RFC 6120 3.2.2 falls back to the domain's address records.
  }
  return [{ host: domain, port: fallbackPort, via: `A ${domain} (no SRV ${srvName})` }];
}

/** Connects to the first target that answers; rejects with what failed for each. */
export async function dialFirst(resolver: NameResolver, targets: DialTarget[], localAddress: string | undefined, timeoutMs: number): Promise<{ socket: Socket; target: DialTarget; address: string }> {
  const failures: string[] = [];
  for (const target of targets) {
    try {
      const [address] = await resolver.resolveA(target.host);
      if (!address) throw new Error(`${target.host} has no A record`);
      assertLoopback(address, "dial XMPP server");
      const socket = await connectOnce(address, target.port, localAddress, timeoutMs);
      return { socket, target, address };
    } catch (err) {
      failures.push(`${target.host}:${target.port} (${target.via}): ${(err as Error).message}`);
    }
  }
  throw new Error(`no XMPP server answered: ${failures.join("; ")}`);
}

function connectOnce(address: string, port: number, localAddress: string | undefined, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, ...(localAddress ? { localAddress: assertLoopback(localAddress, "bind XMPP client to") } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
