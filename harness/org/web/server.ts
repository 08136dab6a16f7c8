/**
 * One front end server's web services on its own address: 443 (internal web
 * services, HTTPS), 4443 (external web services behind the reverse proxy, HTTPS)
 * and 8080 (external, HTTP, for autodiscover over port 80: MOB-4). Every
 * accepted peer passes the connection gate (PORT-5); the port decides whether a
 * request is internal or external (PORT-4).
 */
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import type { EventSink } from "../../../edge/events/types.ts";
import { gatedListen, type ConnectionGate } from "../../../edge/net/gate.ts";
import type { TlsIdentity } from "../../../edge/net/tls-identity.ts";
import type { Topology } from "../../topology/schema.ts";
import { handleWebRequest, type WebContext } from "./handler.ts";
import type { AccessLocation } from "./urls.ts";

export interface WebServicesOptions {
  topology: Topology;
  server: string;
  address: string;
  identity: TlsIdentity;
  gate: ConnectionGate;
  events: EventSink;
  mapPort: (p: number) => number;
}

export interface WebListener {
  documentedPort: number;
  port: number;
  tls: boolean;
  access: AccessLocation;
}

export const WEB_LISTENERS: { documentedPort: number; tls: boolean; access: AccessLocation }[] = [
  { documentedPort: 443, tls: true, access: "Internal" },
  { documentedPort: 4443, tls: true, access: "External" },
  { documentedPort: 8080, tls: false, access: "External" },
];

export class WebServices {
  readonly listeners: WebListener[] = [];
  private readonly servers: net.Server[] = [];
  private readonly ctx: WebContext;

  constructor(private readonly o: WebServicesOptions) {
    this.ctx = { topology: o.topology, server: o.server, mapPort: o.mapPort, applications: new Map() };
  }

  async start(): Promise<void> {
    for (const l of WEB_LISTENERS) {
      const handler = (req: http.IncomingMessage, res: http.ServerResponse) => handleWebRequest(this.ctx, l.access, req, res);
      const httpServer = l.tls ? https.createServer({ cert: this.o.identity.certPem, key: this.o.identity.keyPem }, handler) : http.createServer(handler);
      httpServer.keepAliveTimeout = 2000;
      const port = this.o.mapPort(l.documentedPort);
      const listener = await gatedListen({
        gate: this.o.gate, events: this.o.events, host: this.o.server, address: this.o.address, port, transport: l.tls ? "tls" : "tcp",
        purpose: `${l.access.toLowerCase()} web services on ${l.documentedPort}`,
        onConnection: (socket) => httpServer.emit("connection", socket),
      });
      this.servers.push(listener);
      this.httpServers.push(httpServer);
      this.listeners.push({ ...l, port });
    }
  }

  private readonly httpServers: (http.Server | https.Server)[] = [];

  async stop(): Promise<void> {
    for (const h of this.httpServers) h.closeAllConnections();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
