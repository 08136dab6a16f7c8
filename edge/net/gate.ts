/**
 * The connection gate: how firewall policy reaches the sockets (PORT-5). A role
 * never imports the firewall; it is handed a ConnectionGate callback and opens
 * its sockets through these helpers, which ask the gate before dialling and
 * when accepting, trace a firewall.pass / firewall.drop event naming the rule,
 * and refuse a dropped connection (the dialler gets FirewallDropError before any
 * packet leaves; an accepted peer is reset). On loopback this is where the
 * sandbox's firewalls live: the kernel passes everything between 127.x addresses.
 */
import net from "node:net";
import tls from "node:tls";
import type { EventSink, FiveTuple } from "../events/types.ts";
import { assertLoopback } from "./loopback.ts";

export interface GateDecision {
  allowed: boolean;
  /** The firewall that decided; undefined when none stands between the two addresses. */
  firewall?: string;
  /** The rule that passed it, or on a drop the rule that would have. */
  ruleId?: string;
  /** On a drop: the missing rule, in words. */
  missing?: string;
  /** Rule IDs for the trace (PORT-5 on every drop). */
  rules: string[];
  detail: string;
  /** A pass the gate already traced at the other end of the same connection (dialler and acceptor both gated): not traced twice. */
  alreadyTraced?: boolean;
}

export interface GateMeta {
  /** The simulated host that dials or accepts. */
  host: string;
  purpose?: string;
}

export type ConnectionGate = (tuple: FiveTuple, meta: GateMeta) => GateDecision;

/** Lets everything through: for components used alone (codec tests, benches). */
export const openGate: ConnectionGate = (t) => ({ allowed: true, rules: [], detail: `${t.srcAddress} -> ${t.dstAddress}:${t.dstPort}: no firewall modelled` });

export class FirewallDropError extends Error {
  readonly decision: GateDecision;
  readonly tuple: FiveTuple;
  readonly code = "EFIREWALLDROP";
  constructor(tuple: FiveTuple, decision: GateDecision) {
    super(`firewall drop: ${decision.detail}`);
    this.name = "FirewallDropError";
    this.tuple = tuple;
    this.decision = decision;
  }
}

/** Asks the gate and traces the answer. Passes through no firewall are not traced (same zone). */
export function gateCheck(gate: ConnectionGate, events: EventSink, tuple: FiveTuple, meta: GateMeta): GateDecision {
  const d = gate(tuple, meta);
  if (!d.allowed || (d.firewall && !d.alreadyTraced))
    events({ kind: d.allowed ? "firewall.pass" : "firewall.drop", ts: Date.now(), host: meta.host, tuple, rules: d.rules, firewall: d.firewall ?? "none", detail: d.detail });
  return d;
}

export interface GatedDial {
  gate: ConnectionGate;
  events: EventSink;
  host: string;
  purpose?: string;
  /** The simulated host's own address: every dial binds it, so the firewall sees the right source. */
  localAddress: string;
  address: string;
  port: number;
}

function dialTuple(o: GatedDial, transport: "tcp" | "tls"): FiveTuple {
  return { transport, srcAddress: assertLoopback(o.localAddress, "bind"), srcPort: 0, dstAddress: assertLoopback(o.address, "connect to"), dstPort: o.port };
}

/** Checks the gate, then returns a connecting socket (sync, for http.Agent createConnection); throws FirewallDropError. */
export function gatedCreateConnection(o: GatedDial, tlsOptions?: tls.ConnectionOptions): net.Socket {
  const tuple = dialTuple(o, tlsOptions ? "tls" : "tcp");
  const d = gateCheck(o.gate, o.events, tuple, { host: o.host, ...(o.purpose ? { purpose: o.purpose } : {}) });
  if (!d.allowed) throw new FirewallDropError(tuple, d);
  const raw = net.connect({ host: o.address, port: o.port, localAddress: o.localAddress });
  // TLS over the socket we dialled, so the source address is the simulated host's.
  return tlsOptions ? tls.connect({ ...tlsOptions, socket: raw }) : raw;
}

function whenOpen<T extends net.Socket>(s: T, event: "connect" | "secureConnect"): Promise<T> {
  return new Promise((resolve, reject) => {
    s.once(event, () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

export function gatedConnect(o: GatedDial): Promise<net.Socket> {
  try {
    return whenOpen(gatedCreateConnection(o), "connect");
  } catch (err) {
    return Promise.reject(err);
  }
}

export function gatedTlsConnect(o: GatedDial, tlsOptions: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  try {
    return whenOpen(gatedCreateConnection(o, tlsOptions) as tls.TLSSocket, "secureConnect");
  } catch (err) {
    return Promise.reject(err);
  }
}

export interface GatedListen {
  gate: ConnectionGate;
  events: EventSink;
  host: string;
  purpose?: string;
  address: string;
  port: number;
  /** How the tuple is traced: "tls" for a TLS listener, "tcp" otherwise. */
  transport: "tcp" | "tls";
  /** Gets each accepted socket the gate allows (hand it to an http/tls server with server.emit("connection", s)). */
  onConnection(socket: net.Socket): void;
}

/** A TCP listener that resets every accepted peer the gate drops, before any byte is read. */
export async function gatedListen(o: GatedListen): Promise<net.Server> {
  const server = net.createServer((socket) => {
    const tuple: FiveTuple = { transport: o.transport, srcAddress: socket.remoteAddress ?? "", srcPort: socket.remotePort ?? 0, dstAddress: socket.localAddress ?? o.address, dstPort: socket.localPort ?? o.port };
    const d = gateCheck(o.gate, o.events, tuple, { host: o.host, ...(o.purpose ? { purpose: o.purpose } : {}) });
    if (!d.allowed) {
      socket.resetAndDestroy();
      return;
    }
    o.onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, assertLoopback(o.address, "listen on"), () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
