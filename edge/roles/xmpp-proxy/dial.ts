/**
 * Finding and dialling a remote XMPP domain's server (DNS-3, RFC 6120 3.2):
 * `_xmpp-server._tcp.<domain>` SRV through the injected resolver, ordered per
 * RFC 2782; without SRV records the domain itself on port 5269 (3.2.2). Every
 * address is checked against 127.0.0.0/8 before the connect. With a gate
 * (PORT-5) each target is checked before its first packet: a dropped target is
 * skipped like an unreachable one, and when no target answered and a firewall
 * dropped at least one, the failure is an XmppDialError naming the missing rule.
 */
import { connect, type Socket } from "node:net";
import type { EventSink } from "../../events/types.ts";
import { FirewallDropError, gatedCreateConnection, type ConnectionGate, type GateDecision } from "../../net/gate.ts";
import { assertLoopback } from "../../net/loopback.ts";
import type { NameResolver } from "../../net/resolver.ts";
import { orderSrvTargets } from "../../policy/srv.ts";

export interface DialTarget {
  host: string;
  port: number;
  via: string;
}

/** PORT-5: the firewalls between the dialling host and the remote server. */
export interface DialGate {
  gate: ConnectionGate;
  events: EventSink;
  /** The simulated host that dials (for the trace). */
  host: string;
  /** Why the connection is made, e.g. "XMPP s2s contoso.test -> jabber.test". */
  purpose: string;
}

/** No target answered; `firewall` is the drop of the first target a firewall refused, if any. */
export class XmppDialError extends Error {
  constructor(
    readonly failures: string[],
    readonly firewall: { target: DialTarget; address: string; decision: GateDecision } | undefined,
  ) {
    super(`no XMPP server answered: ${failures.join("; ")}`);
    this.name = "XmppDialError";
  }
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

/** Connects to the first target that answers (and that the gate, if any, lets through); rejects with XmppDialError. */
export async function dialFirst(resolver: NameResolver, targets: DialTarget[], localAddress: string | undefined, timeoutMs: number, gated?: DialGate): Promise<{ socket: Socket; target: DialTarget; address: string }> {
  const failures: string[] = [];
  let firewall: XmppDialError["firewall"];
  for (const target of targets) {
    let address: string | undefined;
    try {
      [address] = await resolver.resolveA(target.host);
      if (!address) throw new RangeError(`${target.host} has no A record`);
      assertLoopback(address, "dial XMPP server");
      const socket = await connectOnce(address, target.port, localAddress, timeoutMs, gated);
      return { socket, target, address };
    } catch (err) {
      if (err instanceof FirewallDropError) {
        firewall ??= { target, address: address ?? "?", decision: err.decision };
        failures.push(`${target.host}:${target.port} (${target.via}): ${err.decision.firewall ?? "a"} firewall drops it: missing ${err.decision.missing ?? "a rule"}`);
      } else failures.push(`${target.host}:${target.port} (${target.via}): ${(err as Error).message}`);
    }
  }
  throw new XmppDialError(failures, firewall);
}

function connectOnce(address: string, port: number, localAddress: string | undefined, timeoutMs: number, gated: DialGate | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const bind = localAddress ? assertLoopback(localAddress, "bind XMPP client to") : undefined;
    let socket: Socket;
    try {
      // The gate sees the source the dial binds; without one (a test's own dial) the machine's 127.0.0.1 counts as the internet.
      socket = gated
        ? gatedCreateConnection({ gate: gated.gate, events: gated.events, host: gated.host, purpose: gated.purpose, localAddress: bind ?? "127.0.0.1", address, port })
        : connect({ host: address, port, ...(bind ? { localAddress: bind } : {}) });
    } catch (err) {
      reject(err as Error);
      return;
    }
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
