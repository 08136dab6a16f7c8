/**
 * Benchmark (issue 5): XMPP relay throughput. One @xmpp/client sender (its own
 * process) at a real Prosody partner, jabber.test, sends chat messages with at most
 * WINDOW beyond what the receiver has counted:
 * - ours: Prosody -> s2s -> our XMPP proxy -> 23456 link -> gateway -> internal user alice;
 * - Prosody: the same sender -> Prosody jabber.test -> s2s -> Prosody chat.test -> an
 *   @xmpp/client receiver (its own process).
 * - ours with edgesim's own partner server (mini.test) instead of Prosody as the sender's server.
 * Both Prosodies run with nagle off (their best figure).
 * Every message is counted; each run is bounded in count and time. Target: ours/Prosody >= 1.5.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTopology } from "../topology/registry.ts";
import { World } from "../world/world.ts";
import { XmppUser } from "../../partners/xmpp/xmpp-user.ts";
import { C2S_PORT, PARTNER_PASSWORD, startXmppPartner, type StartedXmppPartner } from "../world/xmpp-partners-service.ts";
import type { XmppGatewayService } from "../world/xmpp-gateway-service.ts";
import type { BenchResult } from "./stats.ts";

/** The bench's own zones (the startup bench has 60-63). */
const XMPP_BENCH_BASE = 72;
const WINDOW = 64;
const CREDIT_EVERY = 16;
/** Multiples of CREDIT_EVERY: the Prosody-side receiver reports its count in steps of that size. */
const WARMUP = 320;

interface RunFigure {
  perSecond: number;
  count: number;
  ms: number;
}

async function measure(sender: XmppUser, to: string, count: number, received: () => number, onReceived: (fn: () => void) => () => void, limitMs: number): Promise<RunFigure> {
  const base = received();
  let startedAt = 0;
  let doneAt = 0;
  const target = WARMUP + Math.ceil(count / CREDIT_EVERY) * CREDIT_EVERY;
  let unsubscribe: () => void = () => undefined;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, limitMs);
    unsubscribe = onReceived(() => {
      const n = received() - base;
      if (n >= WARMUP && !startedAt) startedAt = performance.now();
      if (n % CREDIT_EVERY === 0) sender.credit(n);
      if (n >= target) {
        doneAt = performance.now();
        clearTimeout(timer);
        resolve();
      }
    });
    sender.burst(to, target, WINDOW, `b${Date.now()}-`);
  });
  unsubscribe();
  const got = received() - base - WARMUP;
  const end = doneAt || performance.now();
  if (!startedAt) throw new Error(`XMPP bench: only ${received() - base} of ${target} messages arrived within ${limitMs} ms`);
  return { perSecond: (got / (end - startedAt)) * 1000, count: got, ms: end - startedAt };
}

export async function benchXmpp(count = 10_000, rounds = 2): Promise<BenchResult[]> {
  const t = structuredClone(loadTopology("contoso"));
  const b = XMPP_BENCH_BASE;
  t.addressing = { internal: `127.${b}.0.0/16`, perimeterInternal: `127.${b + 1}.0.0/16`, perimeterExternal: `127.${b + 2}.0.0/16`, internet: `127.${b + 3}.0.0/16` };
  t.organisation.edgePool.loadBalancing = "dns";
  t.partners.push({ domain: "mini.test", product: "xmpp", edges: [{ name: "xmpp1", fqdn: "xmpp.mini.test" }], loadBalancing: "dns", users: ["mercutio@mini.test"], hostedDomains: [], publishSrv: true, certificate: { omitClientAuth: false, wrongSan: false, expired: false, untrustedCa: false } });
  t.federation.xmppAllowedPartners.push({ Identity: "mini.test", PartnerType: "Federated", TlsNegotiation: "Optional", SaslNegotiation: "Optional", SupportDialbackNegotiation: true });
  t.partners.push({ domain: "chat.test", product: "xmpp", edges: [{ name: "xmpp1", fqdn: "xmpp.chat.test" }], loadBalancing: "dns", users: ["juliet@chat.test"], hostedDomains: [], publishSrv: true, certificate: { omitClientAuth: false, wrongSan: false, expired: false, untrustedCa: false } });
  const state = mkdtempSync(join(tmpdir(), "edgesim-xmpp-bench-"));
  const world = await World.start({ topology: t, stateDir: state, privileged: false, services: ["dns", "xmpp-proxy", "xmpp-gateway"] });
  const started: StartedXmppPartner[] = [];
  const users: XmppUser[] = [];
  const ours: RunFigure[] = [];
  const theirs: RunFigure[] = [];
  const mini: RunFigure[] = [];
  try {
    const jabber = await startXmppPartner(world.context, "jabber.test", "prosody", { profile: "tls-sasl" });
    started.push(jabber);
    const chat = await startXmppPartner(world.context, "chat.test", "prosody", { profile: "tls-sasl" });
    started.push(chat);
    const romeo = new XmppUser({ address: jabber.address, port: C2S_PORT, domain: "jabber.test", username: "romeo", password: PARTNER_PASSWORD, caFile: world.pki.caFile, resource: "bench" });
    const juliet = new XmppUser({ address: chat.address, port: C2S_PORT, domain: "chat.test", username: "juliet", password: PARTNER_PASSWORD, caFile: world.pki.caFile, resource: "bench", countOnly: true, countEvery: CREDIT_EVERY });
    const miniServer = await startXmppPartner(world.context, "mini.test", "mini");
    started.push(miniServer);
    const mercutio = new XmppUser({ address: miniServer.address, port: C2S_PORT, domain: "mini.test", username: "mercutio", password: PARTNER_PASSWORD, caFile: world.pki.caFile, resource: "bench" });
    users.push(romeo, juliet, mercutio);
    await romeo.start(30_000);
    await juliet.start(30_000);
    await mercutio.start(30_000);
    const alice = (world.service("xmpp-gateway") as XmppGatewayService).users.user("alice@contoso.test");
    let aliceCount = 0;
    let aliceHook: () => void = () => undefined;
    alice.on("im", () => {
      aliceCount++;
      aliceHook();
    });
    for (let r = 0; r < rounds; r++) {
      ours.push(await measure(romeo, "alice@contoso.test", count, () => aliceCount, (fn) => ((aliceHook = fn), () => (aliceHook = () => undefined)), 120_000));
      theirs.push(await measure(romeo, "juliet@chat.test", count, () => juliet.count, (fn) => juliet.watch(fn), 120_000));
      mini.push(await measure(mercutio, "alice@contoso.test", count, () => aliceCount, (fn) => ((aliceHook = fn), () => (aliceHook = () => undefined)), 120_000));
    }
  } finally {
    for (const u of users) await u.stop();
    for (const p of started) await p.stop();
    await world.stop();
    rmSync(state, { recursive: true, force: true });
  }
  const best = (xs: RunFigure[]) => Math.max(...xs.map((x) => x.perSecond));
  const ratio = best(ours) / best(theirs);
  const fmt = (xs: RunFigure[]) => xs.map((x) => `${x.perSecond.toFixed(0)}/s (${x.count} in ${x.ms.toFixed(0)} ms)`).join(", ");
  return [
    { name: "xmpp relay, ours: @xmpp/client at Prosody -> our XMPP proxy -> gateway -> internal user", value: best(ours), unit: "messages/s", detail: `best of ${rounds}: ${fmt(ours)}; window ${WINDOW}, after ${WARMUP} warm-up messages` },
    { name: "xmpp relay, Prosody: same sender -> Prosody -> s2s -> Prosody -> @xmpp/client", value: best(theirs), unit: "messages/s", detail: `best of ${rounds}: ${fmt(theirs)}` },
    { name: "xmpp relay ratio ours/Prosody (same sender at the same Prosody partner)", value: ratio, unit: "x", target: ">= 1.5", pass: ratio >= 1.5, detail: "the sender's Prosody is on both paths, so this ratio cannot exceed what that one Prosody sends" },
    { name: "xmpp relay, ours with edgesim's partner server: @xmpp/client -> minimal partner -> our XMPP proxy -> gateway -> internal user", value: best(mini), unit: "messages/s", detail: `best of ${rounds}: ${fmt(mini)}; ratio to the Prosody pair ${(best(mini) / best(theirs)).toFixed(2)}` },
  ];
}
