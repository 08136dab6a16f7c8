/**
 * SIP MESSAGE through the Access VIP, for both arms of `npm run bench -- hlb` (issue 12
 * "Benchmark"): a closed-loop generator (its own worker thread, `inflight` MESSAGEs
 * outstanding on one TCP connection, each 200 sends the next) and a stateless MESSAGE
 * responder on the edge's address (the project's own SIP framer and createResponse).
 * Plain TCP on the Access port: what is measured is the balancer's hop (the SNAT relay's
 * sockets or the kernel's NAT), not the Access Edge's TLS and policy (the sip-relay bench's).
 * Reports answers/s, and every request that got no answer or an answer other than 200.
 */
import net from "node:net";
import { Worker } from "node:worker_threads";
import { createResponse, serializeSipMessage, SipRequest, SipStreamFramer } from "../../edge/wire/sip/index.ts";

export interface MessageRun { rate: number; sent: number; answers: number; failed: number; error?: string }

/** A MESSAGE responder on address:port: every well-formed request gets its 200. */
export async function startMessageResponder(address: string, port: number): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on("error", () => s.destroy());
    const framer = new SipStreamFramer();
    s.on("data", (chunk: Buffer) => {
      const out: Buffer[] = [];
      for (const ev of framer.push(chunk)) if (ev.type === "message" && ev.message instanceof SipRequest) out.push(serializeSipMessage(createResponse(ev.message, 200)));
      if (out.length) s.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    });
  });
  await new Promise<void>((r) => server.listen(port, address, () => r()));
  return server;
}

function message(to: { address: string; port: number }): string {
  const body = "hello through the VIP";
  return [
    `MESSAGE sip:bob@fabrikam.test SIP/2.0`,
    `Via: SIP/2.0/TCP bench.contoso.test;branch=z9hG4bK-bench-1`,
    `Max-Forwards: 70`,
    `From: <sip:alice@contoso.test>;tag=bench`,
    `To: <sip:bob@fabrikam.test>`,
    `Call-ID: bench-hlb@contoso.test`,
    `CSeq: 1 MESSAGE`,
    `Contact: <sip:alice@${to.address}>`,
    `Content-Type: text/plain`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    ``,
    body,
  ].join("\r\n");
}

// Plain JS (eval'd in the worker): the responses carry no body, so each ends at a blank line.
const GENERATOR = `
const { workerData, parentPort } = require("node:worker_threads");
const net = require("node:net");
const { to, from, inflight, runMs, msg } = workerData;
const buf = Buffer.from(msg);
let sent = 0, answers = 0, failed = 0, running = true, tail = "", t0 = 0;
const c = net.connect({ host: to.address, port: to.port, localAddress: from }, () => {
  c.setNoDelay(true);
  t0 = performance.now();
  for (let i = 0; i < inflight; i++) { sent++; c.write(buf); }
  setTimeout(() => {
    running = false;
    const rate = answers / ((performance.now() - t0) / 1000);
    setTimeout(() => { parentPort.postMessage({ rate, sent, answers, failed }); c.destroy(); }, 200);
  }, runMs);
});
c.on("data", (d) => {
  tail += d.toString("latin1");
  let i;
  while ((i = tail.indexOf("\\r\\n\\r\\n")) >= 0) {
    if (!tail.startsWith("SIP/2.0 200 ")) failed++;
    tail = tail.slice(i + 4);
    answers++;
    if (running) { sent++; c.write(buf); }
  }
});
c.on("error", (e) => parentPort.postMessage({ rate: 0, sent, answers, failed, error: e.message }));
`;

export function messageRun(to: { address: string; port: number }, o: { from: string; inflight?: number; runMs?: number }): Promise<MessageRun> {
  const w = new Worker(GENERATOR, { eval: true, workerData: { to, from: o.from, inflight: o.inflight ?? 32, runMs: o.runMs ?? 1000, msg: message(to) } });
  return new Promise((resolve, reject) => {
    w.once("message", (run: MessageRun) => void w.terminate().then(() => resolve(run)));
    w.once("error", (e) => reject(new Error(`SIP MESSAGE generator towards ${to.address}:${to.port} failed: ${e.message}`)));
  });
}

/** Median rate of the runs, and over all runs: sent, unanswered, answered with another status than 200. */
export function summarizeMessages(runs: MessageRun[], median: (xs: number[]) => number): { rate: number; detail: string } {
  const sent = runs.reduce((a, r) => a + r.sent, 0);
  const lost = runs.reduce((a, r) => a + r.sent - r.answers, 0);
  const failed = runs.reduce((a, r) => a + r.failed, 0);
  const errors = runs.flatMap((r) => (r.error ? [r.error] : []));
  return { rate: median(runs.map((r) => r.rate)), detail: `failed ${failed + lost} of ${sent} sent (unanswered ${lost}, non-200 ${failed})${errors.length ? `; errors: ${[...new Set(errors)].join(", ")}` : ""}` };
}
