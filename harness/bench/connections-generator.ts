/**
 * The generator of `npm run bench -- connections` (issue 12 item 7, issue 15 item 4), in its
 * own process so its sockets and file descriptors are not counted against the edge's.
 * Reads one JSON line on stdin (GeneratorSpec), opens `count` mutual-TLS connections to the
 * target in batches (each batch waits for its handshakes, so the ramp is bounded by
 * `rampTimeoutMs` and never floods the accept queue), then opens one fresh connection and
 * sends an OPTIONS to the edge itself (RFC 3261 11) and waits for its final answer. Prints
 * one JSON line (GeneratorReport) and holds every connection until stdin closes, so the
 * parent can read the edge's RSS while they are all open.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import net from "node:net";
import tls from "node:tls";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";

export interface GeneratorSpec {
  target: { address: string; port: number; servername: string };
  localAddress: string;
  identity: TlsIdentity;
  count: number;
  batch: number;
  rampTimeoutMs: number;
  /** The edge's own FQDN: the fresh connection's OPTIONS names it (edge-itself.ts). */
  edgeFqdn: string;
  fromDomain: string;
}

export interface GeneratorReport {
  held: number;
  failed: number;
  /** Connections opened then closed by the edge before the fresh one was tried. */
  closedByPeer: number;
  rampMs: number;
  firstErrors: string[];
  fresh: { status: number | null; ms: number; error?: string };
  fds: number;
  fdSoftLimit: number;
}

const lines = createInterface({ input: process.stdin });
const spec = JSON.parse(await new Promise<string>((r) => lines.once("line", r))) as GeneratorSpec;
const held = new Set<tls.TLSSocket>();
const errors = new Map<string, number>();
let closedByPeer = 0;

function note(e: Error): void {
  const key = e.message.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, "ADDR");
  errors.set(key, (errors.get(key) ?? 0) + 1);
}

/** One mutual-TLS connection: resolves true once the handshake is done and the edge's certificate verified. */
function open(timeoutMs: number): Promise<tls.TLSSocket | Error> {
  return new Promise((resolve) => {
    // The partner edge's own source address (tls.connect has no localAddress: dial it with net).
    const raw = net.connect({ host: spec.target.address, port: spec.target.port, localAddress: spec.localAddress });
    const s = tls.connect({ socket: raw, servername: spec.target.servername, cert: spec.identity.certPem, key: spec.identity.keyPem, ca: spec.identity.caPem, minVersion: "TLSv1.2" });
    raw.once("error", (e) => s.destroy(e));
    const timer = setTimeout(() => s.destroy(new Error(`no TLS session within ${timeoutMs} ms`)), timeoutMs);
    s.once("secureConnect", () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once("error", (e) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
}

async function ramp(): Promise<{ failed: number; ms: number }> {
  const t0 = performance.now();
  let failed = 0;
  for (let done = 0; done < spec.count; done += spec.batch) {
    const left = spec.rampTimeoutMs - (performance.now() - t0);
    const n = Math.min(spec.batch, spec.count - done);
    if (left <= 0) {
      failed += spec.count - done;
      errors.set(`ramp ran out of time (${spec.rampTimeoutMs} ms): not tried`, spec.count - done);
      break;
    }
    const batch = await Promise.all(Array.from({ length: n }, () => open(Math.max(1000, Math.min(left, 30_000)))));
    for (const r of batch) {
      if (r instanceof Error) {
        failed++;
        note(r);
        continue;
      }
      held.add(r);
      r.on("error", () => undefined);
      r.once("close", () => {
        if (held.delete(r)) closedByPeer++;
      });
    }
  }
  return { failed, ms: performance.now() - t0 };
}

/** The fresh connection: an OPTIONS to the edge itself must get a final answer (a 200 from the edge as UAS). */
async function fresh(): Promise<GeneratorReport["fresh"]> {
  const t0 = performance.now();
  const s = await open(10_000);
  if (s instanceof Error) return { status: null, ms: performance.now() - t0, error: s.message };
  const branch = `z9hG4bK-conns-${process.pid}`;
  const req = [
    `OPTIONS sip:${spec.edgeFqdn}:${spec.target.port};transport=tls SIP/2.0`,
    `Via: SIP/2.0/TLS ${spec.localAddress}:${s.localPort};branch=${branch}`,
    "Max-Forwards: 70",
    `From: <sip:bench@${spec.fromDomain}>;tag=conns`,
    `To: <sip:${spec.edgeFqdn}>`,
    `Call-ID: conns-${process.pid}@${spec.fromDomain}`,
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "", "",
  ].join("\r\n");
  return new Promise((resolve) => {
    let buf = "";
    const timer = setTimeout(() => finish(null, "no final answer within 10 s"), 10_000);
    const finish = (status: number | null, error?: string): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ status, ms: performance.now() - t0, ...(error ? { error } : {}) });
    };
    s.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      const m = /^SIP\/2\.0 (\d{3})/m.exec(buf);
      if (m && Number(m[1]) >= 200 && buf.includes("\r\n\r\n")) finish(Number(m[1]));
    });
    s.once("close", () => finish(null, "the edge closed the fresh connection without a final answer"));
    s.write(req);
  });
}

const { failed, ms } = await ramp();
const freshResult = await fresh();
const report: GeneratorReport = {
  held: held.size, failed, closedByPeer, rampMs: Math.round(ms),
  firstErrors: [...errors].slice(0, 3).map(([m, n]) => `${n}x ${m}`),
  fresh: freshResult,
  fds: readdirSync("/proc/self/fd").length,
  fdSoftLimit: Number(/^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1] ?? NaN),
};
process.stdout.write(`${JSON.stringify(report)}\n`);
lines.on("close", () => {
  for (const s of held) s.destroy();
  process.exit(0);
});
