/**
 * Faults under load (issue 10 item 10): a generator sends SIP MESSAGE through the
 * Access VIP (fabrikam's edge, its real certificate, to carol@contoso.test) at a fixed
 * rate, and partway through, the Access Edge of the edge server carrying it stops.
 * Every request must end at the sender: delivered (200), answered by an edge (408,
 * 503, 504), or failed by a transport error the sender sees (the connection closed
 * under it: 503, RFC 3261 8.1.3.1) and then redialled through the VIP to the edge
 * left. None may vanish (no answer at all: the sender's own timer).
 *
 * `faultUnderLoad` is shared by `npm run bench -- sip-fault` (at half the peak it
 * measures first; prints the counts) and the test that asserts the counts at a modest
 * load (test/access-edge/vip-faults.test.ts).
 */
import type { World } from "../world/world.ts";
import { accessEdgesOf } from "../world/access-edge-service.ts";
import { PORTS } from "../world/ports.ts";
import { SipLoadGenerator, type SendOutcome } from "./sip-relay-generator.ts";
import { closedLoop, openLoop } from "./sip-relay-load.ts";

export interface FaultTally {
  sent: number;
  /** 200 from the front end, relayed by an edge. */
  delivered: number;
  /** Of those, requests sent after the fault: the edge left took over. */
  deliveredAfterFault: number;
  /** Final answers other than 200 an edge sent, by status. */
  answered: Record<number, number>;
  /** The connection closed under the request (the stopped edge's): 503 at the sender (8.1.3.1). */
  transportErrors: number;
  /** No answer at all before the sender's own timer: lost. Must be 0. */
  vanished: number;
  /** The first reason seen for each kind of failure, for the report. */
  firstWhy: Record<string, string>;
  /** Which edge was stopped, and when (ms after the load started). */
  stopped: { edge: string; atMs: number };
  /** How often the sender had to connect again through the VIP (its connection to the stopped edge closed). */
  reconnects: number;
}

export function emptyTally(): FaultTally {
  return { sent: 0, delivered: 0, deliveredAfterFault: 0, answered: {}, transportErrors: 0, vanished: 0, firstWhy: {}, stopped: { edge: "", atMs: NaN }, reconnects: 0 };
}

/** Count one outcome; `afterFault` when the request left after the edge stopped. */
export function countOutcome(t: FaultTally, r: SendOutcome, afterFault: boolean): void {
  if (r.ok) {
    t.delivered++;
    if (afterFault) t.deliveredAfterFault++;
    return;
  }
  const kind = r.answered ? String(r.status) : r.status === 503 ? "transport" : "vanished";
  if (r.answered) t.answered[r.status] = (t.answered[r.status] ?? 0) + 1;
  else if (r.status === 503) t.transportErrors++;
  else t.vanished++;
  t.firstWhy[kind] ??= r.why ?? "";
}

/** One line: what happened to every request sent. */
export function formatTally(t: FaultTally): string {
  const answered = Object.entries(t.answered).map(([s, n]) => `${n} answered ${s}`);
  const ended = t.delivered + Object.values(t.answered).reduce((a, b) => a + b, 0) + t.transportErrors + t.vanished;
  return [
    `${t.sent} sent, ${ended} ended: ${t.delivered} delivered (${t.deliveredAfterFault} sent after ${t.stopped.edge} stopped at ${t.stopped.atMs.toFixed(0)} ms)`,
    ...answered,
    `${t.transportErrors} transport errors (503 at the sender: connection closed under the request)`,
    `${t.vanished} vanished`,
    `${t.reconnects} reconnects through the VIP`,
  ].join(", ");
}

export interface FaultOptions {
  /** A running world with the DNS, front end, Access Edge and load balancer services. */
  world: World;
  /** MESSAGE per second, open loop. */
  rate: number;
  seconds: number;
  /** When the Access Edge stops, in ms after the load starts. */
  faultAtMs: number;
  connections?: number;
  /** The sender's own timer (Timer F at the sender); default 10 s, over the edge's 8 s. */
  timeoutMs?: number;
}

/** The partner edge sending through the Access VIP, and its generator. */
export async function partnerGenerator(world: World, connections: number, timeoutMs: number, partner = "fabrikam.test", from = "bob@fabrikam.test"): Promise<SipLoadGenerator> {
  const vip = world.plan.byHost("vip-access");
  return SipLoadGenerator.open({
    target: { address: vip.address, port: PORTS.sipMtls, fqdn: vip.fqdn! },
    localAddress: world.plan.byHost(`${partner.split(".")[0]}-edge1`).address,
    identity: world.pki.identity(`partner:${partner}:edge1`),
    connections, from, to: "carol@contoso.test", timeoutMs, redial: true, host: `${partner}-generator`,
  });
}

/** The edge the VIP sent the generator to (source affinity: one edge holds its connections). */
function busiestEdge(world: World): string {
  const edges = [...accessEdgesOf(world).entries()];
  edges.sort((a, b) => b[1].acceptedConnections - a[1].acceptedConnections);
  return edges[0]![0];
}

export async function faultUnderLoad(o: FaultOptions): Promise<FaultTally> {
  const tally = emptyTally();
  const gen = await partnerGenerator(o.world, o.connections ?? 4, o.timeoutMs ?? 10_000);
  const started = performance.now();
  let faulted = false;
  try {
    const send = async () => {
      tally.sent++;
      const afterFault = faulted;
      const r = await gen.send();
      countOutcome(tally, r, afterFault);
      return r;
    };
    const fault = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        const edge = busiestEdge(o.world);
        tally.stopped = { edge, atMs: performance.now() - started };
        accessEdgesOf(o.world).get(edge)!.stop().then(() => { faulted = true; resolve(); }, reject);
      }, o.faultAtMs);
    });
    await Promise.all([openLoop(send, o.rate, o.seconds), fault]);
    tally.reconnects = gen.reconnects;
    return tally;
  } finally {
    gen.close();
  }
}

/** The peak MESSAGE rate through the Access VIP (closed loop), the rate the fault bench halves. */
export async function peakThroughVip(world: World, seconds: number, connections = 4, perConnection = 16): Promise<number> {
  const gen = await partnerGenerator(world, connections, 10_000);
  try {
    await closedLoop(gen.send, 8, 0.5); // warm-up: connections, JIT, SRV cache
    return (await closedLoop(gen.send, connections * perConnection, seconds)).rate;
  } finally {
    gen.close();
  }
}
