/**
 * A real HTTP(S) client for simulated hosts: names resolve through the host's
 * DNS view, every connection binds the host's own address and passes the
 * connection gate (PORT-5), and HTTPS verifies the server's certificate against
 * the sandbox CA for the name in the URL (what breaks with a missing SAN: MOB-4).
 */
import http from "node:http";
import https from "node:https";
import type { EventSink } from "../../edge/events/types.ts";
import { gatedCreateConnection, type ConnectionGate } from "../../edge/net/gate.ts";
import type { NameResolver } from "../../edge/net/resolver.ts";

export interface HttpClientHost {
  host: string;
  localAddress: string;
  resolver: NameResolver;
  gate: ConnectionGate;
  events: EventSink;
  caPem: string;
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The address the name resolved to. */
  address: string;
}

export async function httpRequest(h: HttpClientHost, url: string, opts: { method?: string; headers?: Record<string, string>; purpose?: string } = {}): Promise<HttpResult> {
  const u = new URL(url);
  const secure = u.protocol === "https:";
  const [address] = await h.resolver.resolveA(u.hostname);
  if (!address) throw new RangeError(`${u.hostname} resolved to no address in the ${h.resolver.view} view`);
  const port = Number(u.port || (secure ? 443 : 80));
  const createConnection = () =>
    gatedCreateConnection(
      { gate: h.gate, events: h.events, host: h.host, localAddress: h.localAddress, address, port, purpose: opts.purpose ?? `${opts.method ?? "GET"} ${url}` },
      secure ? { ca: h.caPem, servername: u.hostname, rejectUnauthorized: true } : undefined,
    );
  const lib = secure ? https : http;
  return new Promise<HttpResult>((resolve, reject) => {
    const req = lib.request(
      { method: opts.method ?? "GET", host: u.hostname, port, path: u.pathname + u.search, headers: { host: u.host, ...opts.headers }, createConnection, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), address }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url}: no answer in 10 s`)));
    req.on("error", reject);
    req.end();
  });
}
