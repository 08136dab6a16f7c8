/**
 * Through the load balancer's VIPs with the world's real certificates (issue 10).
 * Item 7, what the hostile-input probes found:
 *  - RFC3261-11: an OPTIONS whose Request-URI is the edge itself (the Access VIP's
 *    name, the edge pool's internal name, with or without port and transport) is a
 *    federation keep-alive or a balancer's monitor: the edge answers 200 with Allow and
 *    Supported, not 403;
 *  - RFC3261-25.1: a header value with NUL or another control character gets 400, and
 *    the connection keeps serving;
 *  - RFC3261-16.8: a proxied INVITE that got a provisional answer and then nothing ends
 *    with Timer C: CANCEL downstream, 408 upstream. The next hop is a test server with
 *    litware's real identity, reached by moving sip.litware.test's A record.
 * Item 10, floods and faults under load (counts, never times):
 *  - FED-11: a discovered partner (adatum) flooding at full speed is throttled while an
 *    allowed partner's (fabrikam) messages keep being delivered;
 *  - FED-12: with fabrikam sending at a steady rate, the Access Edge carrying it stops:
 *    every request ends at the sender (delivered, 408/503/504, or a transport error it
 *    sees), none vanish, and the edge left takes over. Last: it leaves one edge down.
 */
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { createAccessEdgeService } from "../../harness/world/access-edge-service.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { assertLoopback } from "../../edge/net/loopback.ts";
import { SipConnection } from "../../edge/roles/access-edge/index.ts";
import { createResponse, type SipRequest } from "../../edge/wire/sip/index.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { addressingAt, startTestWorld, topologyAt } from "../kit/world.ts";
import { captureEvents, SIP_SERVICES } from "./world-helpers.ts";
import { RawSip, rawRequest } from "./raw-sip.ts";
import { noEvents } from "../../edge/events/types.ts";
import { faultUnderLoad, formatTally, partnerGenerator } from "../../harness/bench/sip-fault.ts";
import { closedLoop, openLoop } from "../../harness/bench/sip-relay-load.ts";
import type { SendOutcome } from "../../harness/bench/sip-relay-generator.ts";

const B = ZONE_BASE.accessEdgeVip;
const internet = addressingAt(B).internet.split(".")[1];
/** Stands in for litware's edge: answers an INVITE 180 and then nothing; answers CANCEL 200. */
const RINGING = `127.${internet}.50.1`;
const TIMER_C_MS = 1500;

let world: World;
let trace: ReturnType<typeof captureEvents>;
let ringing: tls.Server;
const received: SipRequest[] = [];
const accepted = new Set<tls.TLSSocket>();

beforeAll(async () => {
  world = await startTestWorld(topologyAt(B, "contoso", (t) => {
    t.dnsRecords.push({ view: "external", name: "sip.litware.test", type: "A", value: RINGING, priority: 0, weight: 100, replace: true });
  }), { services: [...SIP_SERVICES, "hlb"], replace: [createAccessEdgeService({ inviteTimeoutMs: TIMER_C_MS })] });
  trace = captureEvents(world);
  const id = world.pki.identity("partner:litware.test:edge1");
  ringing = tls.createServer({ cert: id.certPem, key: id.keyPem, ca: id.caPem, requestCert: true, rejectUnauthorized: false }, (socket) => {
    accepted.add(socket);
    const conn = SipConnection.overTls(socket, { host: "litware-test", localFqdn: "sip.litware.test", transport: "tls", tuple: { transport: "tls", srcAddress: socket.remoteAddress ?? "", srcPort: socket.remotePort ?? 0, dstAddress: RINGING, dstPort: 5061 } }, noEvents);
    conn.setHandler({
      onRequest: (req, c) => {
        received.push(req);
        if (req.method === "INVITE") c.send(createResponse(req, 180, "Ringing", [], { toTag: "ringing1" }));
        if (req.method === "CANCEL") c.send(createResponse(req, 200));
      },
      onResponse: () => undefined,
    });
  });
  await new Promise<void>((resolve) => ringing.listen(5061, assertLoopback(RINGING), () => resolve()));
});
afterAll(async () => {
  trace?.stop();
  await world?.stop();
  for (const s of accepted) s.destroy();
  await new Promise<void>((r) => (ringing ? ringing.close(() => r()) : r()));
});

const vip = (host: "vip-access" | "vip-internal") => world.plan.byHost(host).address;

/** fabrikam's edge, through the Access VIP (sip.contoso.test:5061), with its own certificate. */
function partnerThroughVip(): Promise<RawSip> {
  return RawSip.connect(vip("vip-access"), 5061, { identity: world.pki.identity("partner:fabrikam.test:edge1"), caPem: world.pki.ca.certPem, localAddress: world.plan.byHost("fabrikam-edge1").address, servername: "sip.contoso.test" });
}

/** The front end, through the internal VIP (edgepool.contoso.test:5061). */
function frontEndThroughVip(): Promise<RawSip> {
  return RawSip.connect(vip("vip-internal"), 5061, { identity: world.pki.identity("frontend"), caPem: world.pki.ca.certPem, localAddress: world.plan.byHost("fe01").address, servername: "edgepool.contoso.test" });
}

/** An OPTIONS with the given Request-URI (no user part: a keep-alive or a monitor). */
function options(requestUri: string, from: string): string {
  return rawRequest("OPTIONS", from, "x@example.invalid").replace(/^OPTIONS sip:\S+ /, `OPTIONS ${requestUri} `).replace(/^To: .*$/m, `To: <${requestUri}>`);
}

describe("RFC3261-11: an OPTIONS to the edge itself is answered 200 by the edge", () => {
  const external = ["sip:sip.contoso.test", "sip:sip.contoso.test:5061", "sip:sip.contoso.test:5061;transport=tls", "sip:SIP.Contoso.Test;transport=TLS"];
  for (const uri of external)
    it(`RFC3261-11: a federation keep-alive OPTIONS ${uri} through the Access VIP gets 200 with Allow and Supported`, async () => {
      const c = await partnerThroughVip();
      const mark = trace.events.length;
      c.write(options(uri, "bob@fabrikam.test"));
      const res = await c.final(5000);
      c.close();
      expect(res?.status).toBe(200);
      expect(res?.headers.get("Allow")?.split(/\s*,\s*/)).toEqual(expect.arrayContaining(["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "MESSAGE", "SUBSCRIBE", "NOTIFY"]));
      expect(res?.headers.has("Supported")).toBe(true);
      expect(res?.to()?.params.get("tag")).toBeTruthy();
      const answered = trace.events.slice(mark).find((e) => e.kind === "sip.request" && e.rules.includes("RFC3261-11"));
      expect(answered && answered.kind === "sip.request" ? answered.status : undefined).toBe(200);
    });

  it("RFC3261-11: a monitor's OPTIONS to the edge pool's internal name through the internal VIP gets 200", async () => {
    const c = await frontEndThroughVip();
    c.write(options("sip:edgepool.contoso.test:5061;transport=tls", "carol@contoso.test"));
    const res = await c.final(5000);
    c.close();
    expect(res?.status).toBe(200);
    expect(res?.headers.get("Allow")).toContain("OPTIONS");
  });

  it("RFC3261-11: the same name on a port the edge does not listen on is not the edge: routed by policy, refused with its reason", async () => {
    const c = await partnerThroughVip();
    c.write(options("sip:sip.contoso.test:5070", "bob@fabrikam.test"));
    const res = await c.final(5000);
    c.close();
    expect(res?.status).not.toBe(200);
    expect(res?.headers.get("ms-diagnostics")).toBeTruthy();
  });
});

describe("RFC3261-25.1: control characters in header values get 400 through the VIPs, and the connection keeps serving", () => {
  const withNul = (from: string, to: string) => rawRequest("MESSAGE", from, to, { body: "hi", extra: ["Subject: nul\x00inside"] });

  it("RFC3261-25.1: a partner's MESSAGE with a NUL in Subject gets 400 naming the field; the next MESSAGE on that connection is delivered", async () => {
    const c = await partnerThroughVip();
    c.write(withNul("bob@fabrikam.test", "carol@contoso.test"));
    const res = await c.final(5000);
    expect(res?.status).toBe(400);
    expect(res?.headers.get("ms-diagnostics")).toMatch(/^54102;reason="RFC3261-16\.3: control character U\+0000 in the value \(RFC 3261 25\.1\) at header 'Subject'/);
    c.write(rawRequest("MESSAGE", "bob@fabrikam.test", "carol@contoso.test", { body: "after the NUL" }));
    expect((await c.final(8000))?.status).toBe(200);
    c.close();
    expect(await frontEndOf(world).user("carol@contoso.test").inbox.next(5000)).toMatchObject({ text: "after the NUL" });
    expect(trace.events.some((e) => e.kind === "sip.malformed" && e.status === 400 && e.detail.includes("U+0000"))).toBe(true);
  });

  it("RFC3261-25.1: the front end's MESSAGE with an escape character gets 400; the same connection then serves an OPTIONS keep-alive", async () => {
    const c = await frontEndThroughVip();
    c.write(rawRequest("MESSAGE", "carol@contoso.test", "bob@fabrikam.test", { body: "x", extra: ["X-Tag: esc\x1b[0m"] }));
    expect((await c.final(5000))?.status).toBe(400);
    c.write(options("sip:edgepool.contoso.test", "carol@contoso.test"));
    expect((await c.final(5000))?.status).toBe(200);
    c.close();
  });
});

describe("RFC3261-16.8: Timer C ends a proxied INVITE that got a provisional answer and then nothing", () => {
  it("RFC3261-16.8: the edge CANCELs the INVITE downstream and answers 408 (54107) upstream; the CANCEL matches the INVITE the next hop got", async () => {
    const c = await frontEndThroughVip();
    const mark = trace.events.length;
    const started = Date.now();
    c.write(rawRequest("INVITE", "carol@contoso.test", "lee@litware.test", { extra: ["Contact: <sip:carol@fe01.contoso.test:5061;transport=tls>"] }));
    const statuses: number[] = [];
    let final;
    for (;;) {
      const m = await c.next(TIMER_C_MS + 8000);
      if (!m || m.kind !== "response") break;
      statuses.push(m.status);
      if (m.status >= 200) {
        final = m;
        break;
      }
    }
    expect(statuses).toEqual([100, 180, 408]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMER_C_MS);
    expect(final?.headers.get("ms-diagnostics")).toMatch(/^54107;reason="RFC3261-16\.8: /);
    // The ACK for the 408 goes on downstream (stateless, same branch), like every non-2xx ACK.
    c.write(rawRequest("ACK", "carol@contoso.test", "lee@litware.test"));
    c.close();

    const invite = received.find((r) => r.method === "INVITE");
    const cancel = received.find((r) => r.method === "CANCEL");
    expect(invite).toBeDefined();
    expect(cancel, "the next hop received a CANCEL").toBeDefined();
    expect(cancel!.uri).toBe(invite!.uri);
    expect(cancel!.vias()).toHaveLength(1);
    expect(cancel!.topVia()?.branch).toBe(invite!.topVia()?.branch);
    expect(cancel!.callId()).toBe(invite!.callId());
    expect(cancel!.cseq()).toEqual({ seq: invite!.cseq()!.seq, method: "CANCEL" });
    const since = trace.events.slice(mark);
    expect(since.some((e) => e.kind === "sip.request" && e.method === "CANCEL" && e.rules.includes("RFC3261-16.8"))).toBe(true);
    expect(since.some((e) => e.kind === "sip.refused" && e.status === 408 && e.rules.includes("RFC3261-16.8"))).toBe(true);
  }, TIMER_C_MS + 15_000);
});

/** Outcomes by status ("transport" / "vanished" when no answer came). */
function counter(): { count(r: SendOutcome): void; by: Record<string, number>; total(): number } {
  const by: Record<string, number> = {};
  return {
    by,
    count: (r) => {
      const kind = r.answered ? String(r.status) : r.status === 503 ? "transport" : "vanished";
      by[kind] = (by[kind] ?? 0) + 1;
    },
    total: () => Object.values(by).reduce((a, b) => a + b, 0),
  };
}

describe("FED-11: a discovered partner's flood does not starve an allowed partner", () => {
  it("FED-11: adatum (discovered) floods at full speed and is throttled (480 52111, event 14603); every fabrikam (allowed) message sent meanwhile is delivered", async () => {
    const mark = trace.events.length;
    const flood = await partnerGenerator(world, 4, 10_000, "adatum.test", "ada@adatum.test");
    const steady = await partnerGenerator(world, 1, 10_000);
    const flooded = counter();
    const allowed = counter();
    try {
      await Promise.all([
        closedLoop(async () => { const r = await flood.send(); flooded.count(r); return r; }, 32, 3, 5000),
        openLoop(async () => { const r = await steady.send(); allowed.count(r); return r; }, 10, 3),
      ]);
    } finally {
      flood.close();
      steady.close();
    }
    // The allowed partner: all 30 delivered, none refused or lost.
    expect(allowed.by).toEqual({ 200: 30 });
    // The flood: throttled to DiscoveredPartnerStandardRate (20/s) per edge, the rest refused with the rule.
    expect(flooded.by["480"] ?? 0, JSON.stringify(flooded.by)).toBeGreaterThan(0);
    expect(flooded.by["200"] ?? 0).toBeLessThanOrEqual(20 * (3 + 1) * 2);
    expect(flooded.by["vanished"] ?? 0).toBe(0);
    const since = trace.events.slice(mark);
    expect(since.some((e) => e.kind === "sip.refused" && e.rules.includes("FED-11") && e.status === 480)).toBe(true);
    expect(since.some((e) => e.kind === "note" && e.rules.includes("FED-11") && e.detail.startsWith("event 14603 (adatum.test)"))).toBe(true);
  }, 30_000);
});

describe("FED-12: one edge's Access Edge stops under load and nothing is lost", () => {
  it("FED-12: every MESSAGE sent through the Access VIP ends delivered, answered 408/503/504 or as a transport error the sender sees; none vanish; the other edge takes over", async () => {
    const carol = frontEndOf(world).user("carol@contoso.test");
    carol.inbox.drain();
    const tally = await faultUnderLoad({ world, rate: 25, seconds: 4, faultAtMs: 1500 });
    const answered = Object.values(tally.answered).reduce((a, b) => a + b, 0);
    expect(tally.sent, formatTally(tally)).toBe(100);
    expect(tally.delivered + answered + tally.transportErrors + tally.vanished).toBe(tally.sent);
    expect(tally.vanished, formatTally(tally)).toBe(0);
    expect(Object.keys(tally.answered).every((s) => ["408", "503", "504"].includes(s)), formatTally(tally)).toBe(true);
    // The fault hit the sender's path (its connections were on the stopped edge), and the edge left took over.
    expect(tally.reconnects, formatTally(tally)).toBeGreaterThan(0);
    expect(tally.deliveredAfterFault, formatTally(tally)).toBeGreaterThan(0);
    // What the sender counts as delivered did reach carol (a transport error may hide a delivery, never the reverse).
    const inbox = carol.inbox.drain().filter((m) => m.text === "bench");
    expect(inbox.length).toBeGreaterThanOrEqual(tally.delivered);
    expect(inbox.length).toBeLessThanOrEqual(tally.sent);
  }, 40_000);
});
