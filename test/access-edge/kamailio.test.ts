/**
 * Interop with software nobody here wrote: Kamailio 5.6 as kam.test's edge over
 * mutual TLS with the sandbox CA (CERT-2). Our edge federates to it (FED-3, DNS-1 SRV
 * to sip.kam.test) and it relays a partner's requests to our edge, which applies the
 * same policy as to our own partners (FED-3 accepted, FED-6 refused with diagnostics).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { noEvents } from "../../edge/events/types.ts";
import { dialTls, SipConnection } from "../../edge/roles/access-edge/index.ts";
import { KamailioProcess, writeKamailioConfig } from "../../partners/adapters/kamailio/index.ts";
import { buildRequest, UacTable } from "../../partners/sip/index.ts";
import type { World } from "../../harness/world/world.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { hasPeer, PEERS, peerIt } from "../kit/peers.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";

const it = peerIt(PEERS.kamailio);
let world: World;
let kamailio: KamailioProcess | undefined;
let dir: string;
let client: { conn: SipConnection; uac: UacTable; port: number; address: string } | undefined;

beforeAll(async () => {
  if (!hasPeer(PEERS.kamailio)) return;
  world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeKamailio, "contoso", (t) => {
    dnsLoadBalanced(t);
    t.federation.allowedDomains.push({ Identity: "kam.test", MarkForMonitoring: false });
    t.partners.push({ domain: "kam.test", product: "lync2013", edges: [{ name: "edge1", fqdn: "sip.kam.test" }], loadBalancing: "dns", users: ["kim@kam.test"], hostedDomains: [], publishSrv: true, certificate: { omitClientAuth: false, wrongSan: false, expired: false, untrustedCa: false } });
  }), { services: SIP_SERVICES });
  // Kamailio takes over kam.test's edge address from the built-in partner.
  await sipPartnerOf(world, "kam.test").edge("edge1").stop();
  const kam = world.plan.byHost("kam-edge1");
  dir = mkdtempSync(join(tmpdir(), "edgesim-kamailio-"));
  const ourEdge = world.plan.byHost("edge1", "external-access");
  const cfg = writeKamailioConfig({ dir, address: kam.address, port: 5061, identity: world.pki.identity("partner:kam.test:edge1"), relay: [{ toDomain: "contoso.test", nextHop: { address: ourEdge.address, port: 5061 } }] });
  kamailio = new KamailioProcess(cfg, dir, { address: kam.address, port: 5061 });
  await kamailio.start();
  // A user agent of kam.test talking to its own edge (Kamailio).
  const address = world.plan.byHost("kam-clients").address;
  const { socket, peer } = await dialTls({ host: "kam-client", fqdn: "sip.kam.test", address: kam.address, port: 5061, localAddress: address, identity: world.pki.identity("partner:kam.test:edge1"), timeoutMs: 3000, events: noEvents });
  const conn = SipConnection.overTls(socket, { host: "kam-client", localFqdn: address, transport: "tls", tuple: { transport: "tls", srcAddress: address, srcPort: socket.localPort ?? 0, dstAddress: kam.address, dstPort: 5061 }, peer }, noEvents);
  const uac = new UacTable();
  conn.setHandler({ onRequest: () => undefined, onResponse: (r) => void uac.onResponse(r), onClose: (c) => uac.connectionClosed(c) });
  client = { conn, uac, port: socket.localPort ?? 0, address };
}, 30_000);

afterAll(async () => {
  client?.uac.stop();
  client?.conn.close();
  await kamailio?.stop();
  await world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function viaKamailio(from: string, to: string, text: string) {
  const c = client!;
  return c.uac.send(c.conn, buildRequest({ method: "MESSAGE", uri: `sip:${to}`, from, to, via: { host: c.address, port: c.port }, body: text }), 10_000);
}

describe("Kamailio as a partner edge over mutual TLS", () => {
  it("FED-3: our edge finds sip.kam.test by SRV and Kamailio accepts our certificate and answers 200 (CERT-2 both ways)", async () => {
    const r = await frontEndOf(world).user("carol@contoso.test").sendMessage("kim@kam.test", "hello kamailio");
    expect(r, `${JSON.stringify(r)} ${kamailio?.log.slice(-500)}`).toMatchObject({ status: 200 });
  });

  it("FED-3: Kamailio relays kim's MESSAGE to our edge, which checks its certificate against the SRV record and delivers it to carol", async () => {
    const r = await viaKamailio("kim@kam.test", "carol@contoso.test", "relayed by kamailio");
    expect(r.status).toBe(200);
    expect(await frontEndOf(world).user("carol@contoso.test").inbox.next(5000)).toMatchObject({ from: "kim@kam.test", text: "relayed by kamailio", verification: "verified" });
  });

  it("FED-6: a blocked domain relayed by Kamailio is refused 403, and the ms-diagnostics survive Kamailio's relay", async () => {
    const r = await viaKamailio("mallory@blocked.test", "carol@contoso.test", "x");
    expect(r).toMatchObject({ status: 403, diagnostics: { code: 52060 } });
  });

  it("FED-10: kam.test's edge sending for fabrikam.test is refused: its certificate does not name fabrikam's SRV targets", async () => {
    const r = await viaKamailio("bob@fabrikam.test", "carol@contoso.test", "x");
    expect(r).toMatchObject({ status: 403, diagnostics: { code: 52101 } });
  });
});
