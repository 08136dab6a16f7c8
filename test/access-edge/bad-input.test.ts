/**
 * Bad input on live connections of the Access Edge (FED-12, RFC 3261 16.3, RFC 4475):
 * garbage, RFC 4475 malformed requests, oversized headers, a message cut mid-body,
 * Max-Forwards exhausted, TLS peers without a certificate - each answered or refused
 * with its reason, while other traffic on the edge keeps flowing. And next hops that
 * misbehave (RFC 3261 17.1.2.2 / 16.7): one that never answers ends in our own 408
 * (Timer F), one that closes the connection under a request in 504, both with
 * ms-diagnostics. Those next hops are test servers with the partner's real identity,
 * reached by moving its A record.
 */
import { readFileSync } from "node:fs";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { accessEdgesOf, ACCESS_EDGE_TRANSACTION_TIMEOUT_MS } from "../../harness/world/access-edge-service.ts";
import { assertLoopback } from "../../edge/net/loopback.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { fixturePath } from "../kit/fixtures.ts";
import { addressingAt, startTestWorld, topologyAt } from "../kit/world.ts";
import { captureEvents, dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";
import { RawSip, rawRequest } from "./raw-sip.ts";

let world: World;
let trace: ReturnType<typeof captureEvents>;
let steady: RawSip;
const RFC4475 = fixturePath("rfc4475");
const B = ZONE_BASE.accessEdgeBadInput;
const internet = addressingAt(B).internet.split(".")[1];
const SILENT = `127.${internet}.50.1`;
const CLOSING = `127.${internet}.50.2`;
const servers: tls.Server[] = [];
const sockets = new Set<tls.TLSSocket>();

function serve(address: string, identityName: string, onData: (s: tls.TLSSocket) => void): Promise<void> {
  const id = world.pki.identity(identityName);
  const server = tls.createServer({ cert: id.certPem, key: id.keyPem, ca: id.caPem, requestCert: true, rejectUnauthorized: false }, (s) => {
    s.on("error", () => undefined);
    sockets.add(s);
    s.on("data", () => onData(s));
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(5061, assertLoopback(address), () => resolve()));
}

beforeAll(async () => {
  world = await startTestWorld(topologyAt(B, "contoso", (t) => {
    dnsLoadBalanced(t);
    t.dnsRecords.push(
      { view: "external", name: "sip.litware.test", type: "A", value: SILENT, priority: 0, weight: 100, replace: true },
      { view: "external", name: "sip.adatum.test", type: "A", value: CLOSING, priority: 0, weight: 100, replace: true },
    );
  }), { services: SIP_SERVICES });
  trace = captureEvents(world);
  steady = await internalClient();
  await serve(SILENT, "partner:litware.test:edge1", () => undefined);
  await serve(CLOSING, "partner:adatum.test:edge1", (s) => s.destroy());
});
afterAll(async () => {
  steady?.close();
  trace?.stop();
  await world?.stop();
  for (const s of sockets) s.destroy();
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
});

function internalClient(): Promise<RawSip> {
  return RawSip.connect(world.plan.byHost("edge1", "internal").address, 5061, { identity: world.pki.identity("frontend"), caPem: world.pki.ca.certPem, localAddress: world.plan.byHost("fe01").address });
}

/** Other traffic keeps flowing: an OPTIONS on a separate connection, and an IM end to end. */
async function edgeStillServes(): Promise<void> {
  steady.write(rawRequest("OPTIONS", "carol@contoso.test", "bob@fabrikam.test"));
  expect((await steady.final(8000))?.status).toBe(200);
}

describe("bad input on a live connection gets its answer and the connection keeps serving", () => {
  it("FED-12: garbage gets 400 with ms-diagnostics saying where parsing failed; the same connection then serves a valid request", async () => {
    const c = await internalClient();
    c.write("this is not SIP at all\r\n\r\n");
    const res = await c.final(5000);
    expect(res?.status).toBe(400);
    expect(res?.headers.get("ms-diagnostics")).toMatch(/^54102;reason="RFC3261-16.3: /);
    c.write(rawRequest("OPTIONS", "carol@contoso.test", "bob@fabrikam.test"));
    expect((await c.final(8000))?.status).toBe(200);
    c.close();
    expect(trace.events.some((e) => e.kind === "sip.malformed" && e.rules.includes("FED-12"))).toBe(true);
  });

  const index = JSON.parse(readFileSync(`${RFC4475}/index.json`, "utf8")) as { messages: Record<string, { class: string; "may-repair"?: boolean; expect?: number }> };
  // clerr (Content-Length beyond the body) waits for bytes on a stream by design; bigcode is a response (discarded).
  const malformed = Object.entries(index.messages).filter(([name, m]) => m.class === "malformed" && !m["may-repair"] && name !== "clerr");
  const isResponse = (name: string) => readFileSync(`${RFC4475}/${name}.dat`, "latin1").startsWith("SIP/2.0 ");
  for (const [name, m] of malformed)
    it(`FED-12: RFC 4475 ${name} over a live TLS connection is ${isResponse(name) ? "discarded (a response)" : `answered ${m.expect ?? 400}`} and other traffic flows`, async () => {
      const c = await internalClient();
      c.write(readFileSync(`${RFC4475}/${name}.dat`));
      if (isResponse(name)) expect(await c.next(1000)).toBeUndefined();
      else expect((await c.final(5000))?.status).toBe(m.expect ?? 400);
      // The same connection serves again, unless the framing was lost (then it must be closed, not hung).
      c.write(rawRequest("OPTIONS", "carol@contoso.test", "bob@fabrikam.test"));
      const again = await c.final(8000);
      expect(again?.status === 200 || c.closed, `after ${name}: ${again?.status}, closed ${c.closed}`).toBe(true);
      c.close();
      await edgeStillServes();
    });

  it("FED-12: an oversized header section gets 513 and that connection closes (framing lost); other connections are unaffected", async () => {
    const c = await internalClient();
    c.write(rawRequest("MESSAGE", "carol@contoso.test", "bob@fabrikam.test", { extra: [`X-Big: ${"a".repeat(20_000)}`] }));
    expect((await c.final(5000))?.status).toBe(513);
    await c.next(2000);
    expect(c.closed).toBe(true);
    await edgeStillServes();
  });

  it("FED-12: a message cut mid-body is never delivered, and the edge keeps serving", async () => {
    const c = await internalClient();
    const full = rawRequest("MESSAGE", "carol@contoso.test", "bob@fabrikam.test", { body: "this body will be cut short" });
    c.write(full.slice(0, full.length - 10));
    c.close();
    await edgeStillServes();
    expect((await frontEndOf(world).user("carol@contoso.test").sendMessage("bob@fabrikam.test", "whole")).status).toBe(200);
    expect(await sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").inbox.next(5000)).toMatchObject({ text: "whole" });
    expect(sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").inbox.drain()).toEqual([]);
  });

  it("RFC3261-16.3: Max-Forwards 0 is answered 483 with ms-diagnostics, never forwarded", async () => {
    steady.write(rawRequest("MESSAGE", "carol@contoso.test", "bob@fabrikam.test", { maxForwards: 0, body: "no hops left" }));
    const res = await steady.final(5000);
    expect(res?.status).toBe(483);
    expect(res?.headers.get("ms-diagnostics")).toContain("Max-Forwards");
  });

  it("RFC3261-16.3: OPTIONS with Max-Forwards 0 is answered by the edge itself", async () => {
    steady.write(rawRequest("OPTIONS", "carol@contoso.test", "bob@fabrikam.test", { maxForwards: 0 }));
    expect((await steady.final(5000))?.status).toBe(200);
  });

  it("RFC3261-16.3: a request that already left by the same interface with our branch is a loop: 482", async () => {
    const first = rawRequest("OPTIONS", "carol@contoso.test", "bob@fabrikam.test", { branch: "z9hG4bKloopcheck1" });
    // What edge1 would add on the way out: replay the request with that Via on top.
    const { createHash } = await import("node:crypto");
    const ours = "z9hG4bK" + createHash("sha1").update("edge1").update("\0").update("z9hG4bKloopcheck1").digest("hex").slice(0, 24);
    steady.write(first.replace("Via: ", `Via: SIP/2.0/TLS edge1-sip.contoso.test:5061;branch=${ours}\r\nVia: `));
    expect((await steady.final(5000))?.status).toBe(482);
  });
});

describe("CERT-2: mutual TLS ports refuse a peer without a client certificate, and trace it", () => {
  const ports = [
    // Each from where the firewalls let it in: the front end inside (PORT-3), the internet outside (PORT-2).
    { name: "internal interface 5061", host: "edge1", iface: "internal", from: "fe01" },
    { name: "external federation 5061", host: "edge1", iface: "external-access", from: undefined },
  ];
  for (const p of ports)
    it(`CERT-2: ${p.name}: no certificate, no SIP`, async () => {
      const mark = trace.events.length;
      const c = await RawSip.connect(world.plan.byHost(p.host, p.iface).address, 5061, { caPem: world.pki.ca.certPem, ...(p.from ? { localAddress: world.plan.byHost(p.from).address } : {}) });
      c.write(rawRequest("OPTIONS", "carol@contoso.test", "bob@fabrikam.test"));
      expect(await c.next(3000)).toBeUndefined();
      expect(c.closed).toBe(true);
      const refused = trace.events.slice(mark).find((e) => e.kind === "tls.handshake" && !e.ok && e.host === p.host);
      expect(refused && refused.kind === "tls.handshake" ? refused.error : "").toMatch(/no client certificate/);
      await edgeStillServes();
    });

  it("CERT-2: the remote-user port is server-auth TLS: a client without a certificate is served", async () => {
    const c = await RawSip.connect(world.plan.byHost("edge1", "external-access").address, 10443, { caPem: world.pki.ca.certPem });
    c.write("\r\n\r\n");
    expect(c.closed).toBe(false);
    c.close();
  });
});

describe("every accepted request ends in a final response", () => {
  it("FED-12: a next hop that never answers: the edge answers 408 itself when Timer F fires (RFC 3261 17.1.2.2)", async () => {
    const r = await frontEndOf(world).user("carol@contoso.test").sendMessage("lee@litware.test", "anyone?", { timeoutMs: ACCESS_EDGE_TRANSACTION_TIMEOUT_MS + 5000 });
    expect(r.status).toBe(408);
    expect(r.diagnostics?.code).toBe(54101);
    expect([...accessEdgesOf(world).values()].every((e) => e.pendingTransactions === 0)).toBe(true);
  }, ACCESS_EDGE_TRANSACTION_TIMEOUT_MS + 10_000);

  it("FED-12: a next hop that closes the connection under a request: 504 naming CERT-2 (it refused us) at once", async () => {
    const r = await frontEndOf(world).user("carol@contoso.test").sendMessage("ada@adatum.test", "closing");
    expect(r.status).toBe(504);
    expect(r.diagnostics?.code).toBe(54032);
  });
});
