/**
 * RFC 3261 17.1.2.2 / 16.7 on the live edge: a next hop that never answers ends in
 * our own 408 (Timer F) and a next hop that closes the connection under a request
 * ends in 504, both with ms-diagnostics (FED-12). The partner edges here are test
 * servers with the partner's real identity, reached by moving its A record.
 */
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { accessEdgesOf, ACCESS_EDGE_TRANSACTION_TIMEOUT_MS } from "../../harness/world/access-edge-service.ts";
import { assertLoopback } from "../../edge/net/loopback.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { addressingAt, startTestWorld, topologyAt } from "../kit/world.ts";
import { dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";

const B = ZONE_BASE.accessEdgeTimeout;
const internet = addressingAt(B).internet.split(".")[1];
const SILENT = `127.${internet}.50.1`;
const CLOSING = `127.${internet}.50.2`;
let world: World;
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
  await serve(SILENT, "partner:litware.test:edge1", () => undefined);
  await serve(CLOSING, "partner:adatum.test:edge1", (s) => s.destroy());
});
afterAll(async () => {
  await world?.stop();
  for (const s of sockets) s.destroy();
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
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
