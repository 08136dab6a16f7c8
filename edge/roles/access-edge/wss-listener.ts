/**
 * SIP over secure WebSocket for remote users (RFC 7118; sip.js clients): an HTTPS
 * server with server-auth TLS on the external access address, upgrading to the
 * "sip" subprotocol only. A handshake without the "sip" subprotocol is refused
 * (RFC 7118 4: the server must not accept it) and traced.
 */
import https from "node:https";
import { WebSocketServer, type WebSocket } from "ws";
import type { EventSink } from "../../events/types.ts";
import { gatedListen, openGate, type ConnectionGate } from "../../net/gate.ts";
import { assertLoopback } from "../../net/loopback.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import { ListenError, type TlsListener } from "./tls-endpoints.ts";

export interface WssListenOptions {
  host: string;
  address: string;
  port: number;
  identity: TlsIdentity;
  events: EventSink;
  /** PORT-5: every accepted peer is checked before the TLS handshake. Default: none modelled. */
  gate?: ConnectionGate;
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
  // The HTTPS server is never listened itself: the gated TCP listener hands it what the firewall lets in.
  const listener = await gatedListen({ gate: o.gate ?? openGate, events: o.events, host: o.host, address: o.address, port: o.port, transport: "tls", purpose: "SIP over WebSocket", onConnection: (s) => server.emit("connection", s) }).catch((err: NodeJS.ErrnoException) => {
    throw new ListenError(o.host, o.address, o.port, err.code ?? err.message, "WSS");
  });
  return {
    address: o.address,
    port: o.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        listener.close(() => resolve());
      }),
  };
}
