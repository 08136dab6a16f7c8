/**
 * A tiny PSOM-like conference service on the front end, reached over the data legs the
 * front end opens to each Web Conferencing Edge's internal 8057 (PORT-3: PSOM MTLS TCP
 * 8057, seed 002 row 002-int-node-psom-8057: the front end connects OUT, edge-link.ts).
 * It listens on nothing: each leg is attached here once it is up. Real PSOM is a binary
 * protocol we do not model; this one speaks lines:
 *   on attach   -> "PSOM <fe> peer=<the edge address the leg goes to> cert=<the edge's certificate CN>"
 *   JOIN <conf> -> "JOINED <conf> <n> members"; later SAY lines reach every member
 *   SAY <text>  -> "<conf> <member>: <text>" to every member of the caller's conference
 *   anything else -> "ERROR unknown command" (answered, never dropped)
 * Legs exist only to edges whose certificate chains to the sandbox CA and names them.
 */
import type tls from "node:tls";
import type { EventSink } from "../../../edge/events/types.ts";
import type { TlsIdentity } from "../../../edge/net/tls-identity.ts";

export interface PsomOptions {
  /** The front end ("fe01"). */
  host: string;
  /** Its planned internal address: every control link and leg leaves from it (the firewall judges it, PORT-5). */
  address: string;
  /** The front end's certificate (mutual TLS towards the edges). */
  identity: TlsIdentity;
  events: EventSink;
  /** Longest line accepted; longer ones close the connection with an error line. Default 4096. */
  maxLine?: number;
}

interface Member { socket: tls.TLSSocket; name: string; conf?: string }

export class PsomServer {
  private readonly members = new Set<Member>();
  private next = 1;

  constructor(readonly o: PsomOptions) {}

  /** A data leg to an edge is up: the meeting client at its other end is a new member. */
  attach(s: tls.TLSSocket): void {
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
    s.resume();
    s.on("error", () => s.destroy());
    s.on("close", () => this.members.delete(m));
  }

  /** Members (one per open data leg), in a conference or not yet. */
  get size(): number {
    return this.members.size;
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

  stop(): void {
    for (const m of this.members) m.socket.destroy();
  }
}
