/**
 * A meeting client for the Web Conferencing gating tests: TLS to a Web Conferencing
 * address from a planned host's own address, a few PSOM-like lines sent, and the lines
 * answered until the edge closes or `wantLines` have come (bounded wait, never a hang).
 */
import net from "node:net";
import tls from "node:tls";
import { assertLoopback } from "../../edge/net/loopback.ts";

export interface MeetingOutcome {
  lines: string[];
  /** The edge closed the connection (a refusal ends with the edge's "ERROR ..." line). */
  closed: boolean;
  ms: number;
}

export function meeting(o: { from: string; to: { address: string; port: number }; ca: string; send?: string; wantLines?: number; timeoutMs?: number }): Promise<MeetingOutcome> {
  assertLoopback(o.from, "bind a meeting client on");
  const started = Date.now();
  return new Promise((resolve) => {
    const raw = net.connect({ host: assertLoopback(o.to.address, "dial"), port: o.to.port, localAddress: o.from });
    const c = tls.connect({ socket: raw, servername: "webconf.contoso.test", ca: o.ca });
    const lines: string[] = [];
    let buf = "";
    let settled = false;
    const done = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      c.destroy();
      resolve({ lines, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(false), o.timeoutMs ?? 5000);
    c.setEncoding("utf8");
    c.once("secureConnect", () => c.write(o.send ?? "JOIN conf1\nSAY hello\n"));
    c.on("data", (d: string) => {
      buf += d;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      lines.push(...parts);
      if (lines.length >= (o.wantLines ?? 3)) done(false);
    });
    c.once("end", () => done(true));
    c.once("close", () => done(true));
    c.once("error", () => done(true));
  });
}
