/**
 * Kamailio processes of the SIP relay bench, on the sandbox world's addresses:
 *  - the partner (always): a Kamailio with the partner edge's certificate on the
 *    partner edge's address, answering 200 statelessly; both edges relay to it;
 *  - the reference edge: a Kamailio on our edge's internal and external addresses
 *    (edge-external certificate), relaying statefully (t_relay) from the external one.
 *    As root it looks up `_sipfederationtls._tcp.<domain>` in the sandbox DNS itself
 *    (its libc resolver asks port 53, which the world serves as root; an own mount
 *    namespace gives it a resolv.conf naming the sandbox DNS); otherwise it relays to
 *    a fixed next hop, and the note says so. Its shared memory is sized for the rate
 *    (EDGE_SHARED_MEMORY_MB): with Kamailio's 512 MB default of this adapter, tm's
 *    completed transactions (kept 5 s, ~10 KB each) exhaust it near 10,000 MESSAGE/s
 *    and the tls module then drops the generator's connection (process.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import { isInstalled } from "../paths/installed.ts";
import { KamailioProcess, writeKamailioConfig } from "../../partners/adapters/kamailio/index.ts";

/** 2 GB: room for ~200,000 completed transactions in tm's 5 s wait, i.e. ~40,000 MESSAGE/s; only the pages used are touched. */
const EDGE_SHARED_MEMORY_MB = 2048;

export async function startKamailioPartner(dir: string, address: string, port: number, identity: TlsIdentity): Promise<KamailioProcess> {
  const sub = join(dir, "partner");
  mkdirSync(sub, { recursive: true });
  const cfg = writeKamailioConfig({ dir: sub, address, port, identity, relay: [] });
  const p = new KamailioProcess(cfg, sub, { address, port });
  await p.start();
  return p;
}

export interface KamailioEdgeSpec {
  dir: string;
  internal: { address: string; port: number };
  external: { address: string; port: number };
  identity: TlsIdentity;
  /** Sandbox DNS on port 53 (root): let Kamailio do the SRV lookup. */
  dns?: { address: string };
  /** Used without DNS: the partner edge's address. */
  staticNextHop: { address: string; port: number };
}

export async function startKamailioEdge(s: KamailioEdgeSpec): Promise<{ proc: KamailioProcess; note: string }> {
  const sub = join(s.dir, "edge");
  mkdirSync(sub, { recursive: true });
  let resolvConf: string | undefined;
  if (s.dns) {
    resolvConf = join(sub, "resolv.conf");
    writeFileSync(resolvConf, `nameserver ${s.dns.address}\noptions timeout:1 attempts:2\n`);
  }
  const cfg = writeKamailioConfig({
    dir: sub, address: s.internal.address, port: s.internal.port, identity: s.identity, alsoListen: [s.external], sendFrom: s.external,
    relay: [{ toDomain: "*", nextHop: s.staticNextHop }], relayAll: true,
    ...(s.dns ? { relaySrv: { service: "_sipfederationtls._tcp", cacheSeconds: 30 } } : {}),
  });
  const proc = new KamailioProcess(cfg, sub, s.internal, { sharedMemoryMb: EDGE_SHARED_MEMORY_MB, ...(resolvConf ? { resolvConf } : {}) });
  await proc.start();
  const note = s.dns
    ? `Kamailio edge (-m ${EDGE_SHARED_MEMORY_MB}): SRV _sipfederationtls._tcp.<domain> from the sandbox DNS, cached 30 s (htable), A record from its DNS cache`
    : `Kamailio edge (-m ${EDGE_SHARED_MEMORY_MB}): FIXED next hop ${s.staticNextHop.address}:${s.staticNextHop.port} (not root: its resolver only asks port 53), no SRV lookup`;
  return { proc, note };
}

export function hasKamailio(): boolean {
  return isInstalled("kamailio");
}
