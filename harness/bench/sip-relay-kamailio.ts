/**
 * The reference chain for the SIP relay bench: a Node generator over mutual TLS ->
 * Kamailio "edge" (stateful t_relay) -> mutual TLS -> Kamailio "partner" answering
 * 200. The edge relays to a static next hop: Kamailio's resolver is libc on port 53,
 * which the sandbox DNS does not serve unprivileged, so the SRV lookup our edge makes
 * is not part of this chain (it favours Kamailio slightly). Addresses 127.76.0.x.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { noEvents } from "../../edge/events/types.ts";
import { dialTls, SipConnection } from "../../edge/roles/access-edge/index.ts";
import { KamailioProcess, writeKamailioConfig } from "../../partners/adapters/kamailio/index.ts";
import { buildRequest, UacTable } from "../../partners/sip/index.ts";
import { closedLoop, type LoadResult } from "./sip-relay-load.ts";

const EDGE = "127.76.0.1";
const PARTNER = "127.76.0.2";
const CLIENT = "127.76.0.10";

export type KamailioChainResult = { ok: true; result: LoadResult; note: string } | { ok: false; why: string };

function hasKamailio(): boolean {
  try {
    execFileSync("sh", ["-c", "command -v kamailio"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export async function benchKamailioChain(seconds: number, inFlight: number): Promise<KamailioChainResult> {
  if (!hasKamailio()) return { ok: false, why: "kamailio is not installed (apt-get install -y kamailio kamailio-tls-modules)" };
  const { createCa, issueLeaf } = await import("../pki/issuer.ts");
  const ca = await createCa("edgesim sip-relay bench CA");
  const leaf = async (name: string) => ({ name, ...(await issueLeaf(ca, { commonName: name, dnsNames: [name], eku: ["serverAuth", "clientAuth"], notBeforeDays: -1, notAfterDays: 30 })), caPem: ca.certPem });
  const dir = mkdtempSync(join(tmpdir(), "edgesim-kamailio-bench-"));
  const procs: KamailioProcess[] = [];
  let conn: SipConnection | undefined;
  const uac = new UacTable();
  try {
    for (const [name, address, relayTo] of [["partner", PARTNER, undefined], ["edge", EDGE, PARTNER]] as const) {
      const sub = join(dir, name);
      execFileSync("mkdir", ["-p", sub]);
      const cfg = writeKamailioConfig({ dir: sub, address, port: 5061, identity: await leaf(`${name}.kamailio.test`), relay: relayTo ? [{ toDomain: "*", nextHop: { address: relayTo, port: 5061 } }] : [], relayAll: relayTo !== undefined });
      const p = new KamailioProcess(cfg, sub, { address, port: 5061 });
      procs.push(p);
      await p.start();
    }
    const client = await leaf("client.kamailio.test");
    const { socket, peer } = await dialTls({ host: "bench-client", fqdn: "edge.kamailio.test", address: EDGE, port: 5061, localAddress: CLIENT, identity: client, timeoutMs: 3000, events: noEvents });
    conn = SipConnection.overTls(socket, { host: "bench-client", localFqdn: CLIENT, transport: "tls", tuple: { transport: "tls", srcAddress: CLIENT, srcPort: socket.localPort ?? 0, dstAddress: EDGE, dstPort: 5061 }, peer }, noEvents);
    const c = conn;
    c.setHandler({ onRequest: () => undefined, onResponse: (r) => void uac.onResponse(r), onClose: (x) => uac.connectionClosed(x) });
    const send = async () => {
      const req = buildRequest({ method: "MESSAGE", uri: "sip:bob@partner.kamailio.test", from: "carol@contoso.test", to: "bob@partner.kamailio.test", via: { host: CLIENT, port: socket.localPort ?? 0 }, body: "bench" });
      const r = await uac.send(c, req, 5000);
      return r.status === 200 ? { ok: true } : { ok: false, why: `${r.status} ${r.reason}` };
    };
    await closedLoop(send, 8, 0.5);
    const result = await closedLoop(send, inFlight, seconds);
    return { ok: true, result, note: "one TLS connection from the generator, static next hop (no SRV lookup)" };
  } catch (err) {
    return { ok: false, why: `${(err as Error).message}${procs.map((p) => p.log.slice(-500)).join(" | ")}` };
  } finally {
    uac.stop();
    conn?.close();
    for (const p of procs.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
