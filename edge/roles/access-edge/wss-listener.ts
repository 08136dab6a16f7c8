/**
 * SIP over secure WebSocket for remote users (RFC 7118; sip.js clients): an HTTPS
 * server with server-auth TLS on the external access address, upgrading to the
 * "sip" subprotocol only. A handshake without the "sip" subprotocol is refused
 * (RFC 7118 4: the server must not accept it) and traced.
 */
import https from "node:https";
import { WebSocketServer, type WebSocket } from "ws";
import type { EventSink } from "../../events/types.ts";
import { assertLoopback } from "../../net/loopback.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import type { TlsListener } from "./tls-endpoints.ts";

export interface WssListenOptions {
  host: string;
  address: string;
  port: number;
  identity: TlsIdentity;
  events: EventSink;
  onConnection(ws: WebSocket, remote: { address: string; port: number }): void;
}

export async function listenWss(o: WssListenOptions): Promise<TlsListener> {
  assertLoopback(o.address, "listen on");
  const server = https.createServer({ cert: o.identity.certPem, key: o.identity.keyPem, ca: o.identity.caPem, minVersion: "TLSv1.2" }, (_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("SIP over WebSocket only (RFC 7118): upgrade with Sec-WebSocket-Protocol: sip\n");
  });
  const wss = new WebSocketServer({
    server,
    maxPayload: 96 * 1024,
    handleProtocols: (protocols) => (protocols.has("sip") ? "sip" : false),
  });
  wss.on("connection", (ws, req) => {
    const remote = { address: req.socket.remoteAddress ?? "", port: req.socket.remotePort ?? 0 };
    if (ws.protocol !== "sip") {
      o.events({ kind: "sip.refused", ts: Date.now(), host: o.host, tuple: { transport: "wss", srcAddress: remote.address, srcPort: remote.port, dstAddress: o.address, dstPort: o.port }, rules: ["FED-12"], detail: "WebSocket without the 'sip' subprotocol (RFC 7118 4): closed" });
      ws.close(1002, "subprotocol sip required");
      return;
    }
    o.onConnection(ws, remote);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(new Error(`${o.host} cannot listen on ${o.address}:${o.port} (WSS): ${err.code ?? err.message}`)));
    server.listen(o.port, o.address, () => resolve());
  });
  return {
    address: o.address,
    port: o.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
