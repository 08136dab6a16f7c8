/**
 * TLS listeners and dials for SIP (CERT-2: federation is mutual TLS). Trust is
 * checked here rather than by OpenSSL's reject, so every refused peer is traced
 * with why: no certificate, untrusted CA, expired, or (PIC-2) a client certificate
 * without the clientAuth EKU where that is required. Every address goes through
 * assertLoopback.
 */
import { X509Certificate } from "node:crypto";
import net from "node:net";
import tls, { type TLSSocket } from "node:tls";
import type { EventSink, Transport } from "../../events/types.ts";
import { assertLoopback } from "../../net/loopback.ts";
import type { TlsIdentity } from "../../net/tls-identity.ts";
import { allowsClientAuth, ekuLabels, peerCertificateOf, type PeerCertificate } from "./peer-certificate.ts";
import { isHealthProbe } from "../../net/health-probe.ts";
import { FirewallDropError, gatedCreateConnection, gatedListen, openGate, type ConnectionGate } from "../../net/gate.ts";

export interface TlsListenOptions {
  host: string;
  address: string;
  port: number;
  identity: TlsIdentity;
  /** Mutual TLS: a peer without a trusted certificate is refused (CERT-2). */
  requireClientCert: boolean;
  /** PIC-2: refuse a client certificate without the clientAuth EKU (a public IM provider). Default: accept it (only AOL cared). */
  requireClientAuthEku?: boolean;
  events: EventSink;
  /** PORT-5: the firewalls between this host and its peers; every accepted peer is checked before the handshake. Default: none modelled. */
  gate?: ConnectionGate;
  onConnection(socket: TLSSocket, peer: PeerCertificate | undefined): void;
}

export interface TlsListener {
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function listenTls(o: TlsListenOptions): Promise<TlsListener> {
  assertLoopback(o.address, "listen on");
  const sockets = new Set<TLSSocket>();
  const server = tls.createServer({ cert: o.identity.certPem, key: o.identity.keyPem, ca: o.identity.caPem, requestCert: o.requireClientCert, rejectUnauthorized: false, minVersion: "TLSv1.2" });
  const tuple = (s: TLSSocket) => ({ transport: "tls" as Transport, srcAddress: s.remoteAddress ?? "", srcPort: s.remotePort ?? 0, dstAddress: o.address, dstPort: o.port });
  server.on("secureConnection", (socket: TLSSocket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    const peer = peerCertificateOf(socket);
    const refusal = o.requireClientCert ? clientRefusal(peer, o.requireClientAuthEku ?? false) : undefined;
    o.events({ kind: "tls.handshake", ts: Date.now(), host: o.host, tuple: tuple(socket), rules: refusal ? [refusal.rule] : [], ok: !refusal, peerNames: peer?.names ?? [], peerEku: ekuLabels(peer?.eku ?? []), ...(refusal ? { error: refusal.text } : {}) });
    if (refusal) {
      socket.destroy();
      return;
    }
    o.onConnection(socket, peer);
  });
  server.on("tlsClientError", (err: Error, socket: TLSSocket) => {
    if (isHealthProbe(socket)) return; // the load balancer's TCP health check, not a client
    o.events({ kind: "tls.handshake", ts: Date.now(), host: o.host, tuple: tuple(socket), rules: ["CERT-2"], ok: false, peerNames: [], peerEku: [], error: `handshake failed: ${err.message}` });
  });
  // The TLS server is never listened itself: the gated TCP listener hands it the sockets the firewall lets in.
  const raw = new Set<net.Socket>();
  const listener = await gatedListen({
    gate: o.gate ?? openGate,
    events: o.events, host: o.host, address: o.address, port: o.port, transport: "tls", purpose: "SIP over TLS",
    onConnection: (s) => {
      raw.add(s);
      s.on("close", () => raw.delete(s));
      server.emit("connection", s);
    },
  }).catch((err: NodeJS.ErrnoException) => {
    throw new ListenError(o.host, o.address, o.port, err.code ?? err.message);
  });
  return {
    address: o.address,
    port: o.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        for (const s of raw) s.destroy();
        listener.close(() => resolve());
      }),
  };
}

/** A listener could not bind its address and port (EADDRINUSE, EACCES...). */
export class ListenError extends Error {
  constructor(readonly host: string, readonly address: string, readonly port: number, readonly code: string, what = "TLS") {
    super(`${host} cannot listen on ${address}:${port} (${what}): ${code}`);
    this.name = "ListenError";
  }
}

function clientRefusal(peer: PeerCertificate | undefined, needClientAuth: boolean): { rule: string; text: string } | undefined {
  if (!peer) return { rule: "CERT-2", text: "mutual TLS: the peer presented no client certificate" };
  const purposeOnly = peer.trustError === "INVALID_PURPOSE";
  if (needClientAuth && !allowsClientAuth(peer.eku)) return { rule: "PIC-2", text: `the peer's certificate (${peer.names.join(", ")}) lacks the clientAuth EKU this server requires` };
  if (!peer.trusted && !purposeOnly) return { rule: "CERT-2", text: `the peer's certificate (${peer.names.join(", ")}) is not trusted: ${peer.trustError ?? "unknown reason"}` };
  return undefined;
}

export type DialFailure = "connect" | "timeout" | "untrusted" | "name" | "refused-by-peer" | "firewall";

export class DialError extends Error {
  /** Rule IDs behind the failure (a firewall drop: PORT-5 and the missing rule's). */
  readonly rules: string[];
  constructor(readonly failure: DialFailure, readonly fqdn: string, readonly address: string, readonly port: number, readonly detail: string, rules: string[] = []) {
    super(`dialling ${fqdn} (${address}:${port}) failed: ${detail}`);
    this.name = "DialError";
    this.rules = rules;
  }
}

export interface TlsDialOptions {
  host: string;
  /** The FQDN we mean to reach: SNI and the CERT-2 name check. */
  fqdn: string;
  address: string;
  port: number;
  localAddress: string;
  /** Our certificate and trusted CAs; an empty certPem dials without a client certificate (a remote user). */
  identity: TlsIdentity;
  /** CERT-2: the name the peer's certificate must carry; undefined: do not check names. */
  expectedName?: string;
  timeoutMs: number;
  events: EventSink;
  /** PORT-5: checked before any packet leaves; a drop fails the dial with failure "firewall". Default: none modelled. */
  gate?: ConnectionGate;
}

/** Dial, then check trust and the expected name (CERT-2). Resolves only with a checked socket. */
export function dialTls(o: TlsDialOptions): Promise<{ socket: TLSSocket; peer: PeerCertificate }> {
  assertLoopback(o.address, `connect to ${o.fqdn} at`);
  assertLoopback(o.localAddress, "bind the source of a connection to");
  return new Promise((resolve, reject) => {
    // The source address is set on the TCP socket (tls.connect's types have no localAddress).
    let tcp: net.Socket;
    try {
      tcp = o.gate ? gatedCreateConnection({ gate: o.gate, events: o.events, host: o.host, purpose: `SIP over TLS to ${o.fqdn}`, localAddress: o.localAddress, address: o.address, port: o.port }) : net.connect({ host: o.address, port: o.port, localAddress: o.localAddress });
    } catch (err) {
      if (!(err instanceof FirewallDropError)) throw err;
      reject(new DialError("firewall", o.fqdn, o.address, o.port, err.decision.detail, err.decision.rules));
      return;
    }
    tcp.once("error", () => undefined); // reported through the TLS socket below
    const socket = tls.connect({ socket: tcp, servername: o.fqdn, ...(o.identity.certPem ? { cert: o.identity.certPem, key: o.identity.keyPem } : {}), ca: o.identity.caPem, rejectUnauthorized: false, minVersion: "TLSv1.2", checkServerIdentity: () => undefined });
    const tuple = () => ({ transport: "tls" as Transport, srcAddress: o.localAddress, srcPort: socket.localPort ?? 0, dstAddress: o.address, dstPort: o.port });
    const fail = (failure: DialFailure, detail: string, rule = "CERT-2") => {
      clearTimeout(timer);
      socket.destroy();
      tcp.destroy();
      o.events({ kind: "tls.handshake", ts: Date.now(), host: o.host, tuple: tuple(), rules: [rule], ok: false, peerNames: [], peerEku: [], error: `to ${o.fqdn}: ${detail}` });
      reject(new DialError(failure, o.fqdn, o.address, o.port, detail));
    };
    const timer = setTimeout(() => fail("timeout", `no TLS session within ${o.timeoutMs} ms`, "DNS-1"), o.timeoutMs);
    socket.once("error", (err: NodeJS.ErrnoException) => fail("connect", err.code ?? err.message, "DNS-1"));
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      const peer = peerCertificateOf(socket);
      if (!peer) return fail("untrusted", "the server presented no certificate");
      if (!peer.trusted) return fail("untrusted", `certificate not trusted: ${peer.trustError ?? "unknown"}`);
      if (o.expectedName && !peer.names.some((n) => !n.includes("*") && n.replace(/\.$/, "") === o.expectedName!.toLowerCase().replace(/\.$/, "")))
        return fail("name", `certificate names ${peer.names.join(", ")}, not ${o.expectedName}`);
      o.events({ kind: "tls.handshake", ts: Date.now(), host: o.host, tuple: tuple(), rules: ["CERT-2"], ok: true, peerNames: peer.names, peerEku: ekuLabels(peer.eku) });
      resolve({ socket, peer });
    });
  });
}

/** PIC-2: whether our own certificate may be used as a TLS client certificate towards a provider that checks. */
export function identityAllowsClientAuth(identity: TlsIdentity): boolean {
  const first = identity.certPem.split(/(?<=-----END CERTIFICATE-----)/)[0] ?? identity.certPem;
  return allowsClientAuth(new X509Certificate(first).keyUsage ?? []);
}
