/**
 * A tiny PSOM-like conference service on the front end (PORT-3: PSOM MTLS TCP
 * 8057), enough for the Web Conferencing Edge to have someone to relay to. Real
 * PSOM is a binary protocol we do not model; this one speaks lines:
 *   on connect  -> "PSOM <fe> peer=<address the front end sees> cert=<client cert CN>"
 *   JOIN <conf> -> "JOINED <conf> <n> members"; later SAY lines reach every member
 *   SAY <text>  -> "<conf> <member>: <text>" to every member of the caller's conference
 *   anything else -> "ERROR unknown command" (answered, never dropped)
 * Only clients with a certificate from the sandbox CA get in (mutual TLS).
 */
import tls from "node:tls";
import type { EventSink } from "../../../edge/events/types.ts";
import type { TlsIdentity } from "../../../edge/net/tls-identity.ts";
import { assertLoopback } from "../../../edge/net/loopback.ts";

export interface PsomOptions {
  host: string;
  address: string;
  port: number;
  identity: TlsIdentity;
  events: EventSink;
  /** Longest line accepted; longer ones close the connection with an error line. Default 4096. */
  maxLine?: number;
}

interface Member { socket: tls.TLSSocket; name: string; conf?: string }

export class PsomServer {
  private readonly server: tls.Server;
  private readonly members = new Set<Member>();
  private next = 1;

  constructor(private readonly o: PsomOptions) {
    this.server = tls.createServer({ cert: o.identity.certPem, key: o.identity.keyPem, ca: o.identity.caPem, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2", handshakeTimeout: 5000 }, (s) => this.onClient(s));
    this.server.on("tlsClientError", (e, s) => {
      o.events({ kind: "tls.handshake", ts: Date.now(), host: o.host, rules: ["PORT-3"], ok: false, peerNames: [], peerEku: [], error: `PSOM: TLS from ${s.remoteAddress}:${s.remotePort} refused: ${e.message}` });
      s.destroy();
    });
  }

  async start(): Promise<void> {
    assertLoopback(this.o.address, "bind PSOM on");
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", (e) => reject(new Error(`PSOM ${this.o.host}: cannot listen on ${this.o.address}:${this.o.port}: ${e.message}`)));
      this.server.listen({ host: this.o.address, port: this.o.port, exclusive: true }, () => {
        this.server.removeAllListeners("error");
        resolve();
      });
    });
  }

  private onClient(s: tls.TLSSocket): void {
    const m: Member = { socket: s, name: `m${this.next++}` };
    this.members.add(m);
    const cn = (s.getPeerCertificate().subject?.CN as string | undefined) ?? "?";
    s.write(`PSOM ${this.o.host} peer=${s.remoteAddress} cert=${cn}\n`);
    let buf = "";
    s.setEncoding("utf8");
    s.on("data", (chunk: string) => {
      buf += chunk;
      if (buf.length > (this.o.maxLine ?? 4096) && !buf.includes("\n")) {
        s.end("ERROR line too long\n");
        return;
      }
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, "");
        buf = buf.slice(i + 1);
        this.command(m, line);
      }
    });
    s.on("error", () => s.destroy());
    s.on("close", () => this.members.delete(m));
  }

  private command(m: Member, line: string): void {
    const [verb, ...rest] = line.split(" ");
    const arg = rest.join(" ");
    if (verb === "JOIN" && arg) {
      m.conf = arg;
      const n = [...this.members].filter((x) => x.conf === arg).length;
      m.socket.write(`JOINED ${arg} ${n} members\n`);
    } else if (verb === "SAY" && m.conf) {
      for (const x of this.members) if (x.conf === m.conf) x.socket.write(`${m.conf} ${m.name}: ${arg}\n`);
    } else m.socket.write(`ERROR unknown command '${line.slice(0, 64)}'${verb === "SAY" ? " (JOIN a conference first)" : ""}\n`);
  }

  async stop(): Promise<void> {
    for (const m of this.members) m.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
