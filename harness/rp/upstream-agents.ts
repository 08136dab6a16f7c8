/**
 * Agents whose every connection to the pool goes through the connection gate
 * from the reverse proxy's internal interface (PORT-4, PORT-5): a missing
 * firewall rule makes the proxied request fail with FirewallDropError.
 */
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import type { EventSink } from "../../edge/events/types.ts";
import { gatedCreateConnection, type ConnectionGate } from "../../edge/net/gate.ts";

export interface UpstreamOptions {
  gate: ConnectionGate;
  events: EventSink;
  host: string;
  localAddress: string;
  caPem: string;
  /** The name the pool's certificate must carry (the pool FQDN). */
  servername: string;
}

type Callback = (err: Error | null, socket?: net.Socket) => void;

function create(o: UpstreamOptions, tlsOn: boolean, options: { host?: string | null; port?: number | string | null }, cb: Callback): net.Socket | undefined {
  try {
    return gatedCreateConnection(
      { gate: o.gate, events: o.events, host: o.host, localAddress: o.localAddress, address: String(options.host), port: Number(options.port), purpose: `reverse proxy to the pool's ${tlsOn ? "HTTPS" : "HTTP"} web services` },
      tlsOn ? { ca: o.caPem, servername: o.servername, rejectUnauthorized: true } : undefined,
    );
  } catch (err) {
    cb(err as Error);
    return undefined;
  }
}

export function upstreamAgents(o: UpstreamOptions): { https: https.Agent; http: http.Agent } {
  const h = new https.Agent({ keepAlive: false });
  (h as any).createConnection = (options: any, cb: Callback) => create(o, true, options, cb);
  const p = new http.Agent({ keepAlive: false });
  (p as any).createConnection = (options: any, cb: Callback) => create(o, false, options, cb);
  return { https: h, http: p };
}
