/**
 * The hardware load balancer as nftables NAT (issue 12): the same balancer model as the
 * userland VIPs (vip.ts: one pool of servers per VIP port, the NAT mode per role, the
 * affinity, the HLB-6 knobs) rendered as `nft -f` text. Pure: no I/O; the caller loads the
 * text inside a network namespace the project created (harness/netns/), never the host's.
 *
 * Rule order, per pool (one pool = one userland `Vip`: a VIP address, its ports, its servers):
 * 1. a map `slot -> backend address` with one slot per configured server. The health checks
 *    rewrite it (mapUpdate): a dead server's slot points at a survivor, so the dead edge
 *    leaves the map and only its own clients move (failover, DNS-5's contrast);
 * 2. DNAT (nat output hook: the clients are local processes on loopback) of VIP:port to
 *    the slot's backend, the port unchanged: slot = jhash(source address) with affinity
 *    "source" (a client keeps its edge: RFC 5766 2.2 allocations), numgen round robin per
 *    new flow with affinity "none" (HLB-6);
 * 3. SNAT to the VIP (nat postrouting) for a flow that was DNATed from this VIP, when the
 *    role's mode is "snat": Access and Web Conferencing (HLB-1), internal (PORT-3), and
 *    `nat.av: snat` as the HLB-6 misconfiguration. No SNAT for A/V (HLB-2): the edge sees
 *    the client, and conntrack answers from the VIP;
 * 4. HLB-6 `avAnswerFrom: physical`: the edge's answers from its A/V port are not tracked
 *    (raw output hook, `notrack`), so conntrack cannot rewrite them: they leave from the
 *    edge's physical address, as when the edge's default gateway is not the balancer (HLB-5).
 */
import type { Affinity, AnswerFrom, NatMode } from "../types.ts";

export interface KernelPort {
  port: number;
  transport: "udp" | "tcp";
}

export interface KernelBackend {
  /** The server's name in the pool ("edge1"). */
  server: string;
  /** The server's own address for this pool (its role's interface); the port stays the VIP's. */
  address: string;
}

/** One pool: what one userland Vip is. */
export interface KernelPool {
  /** The VIP's host name in the plan ("vip-access"). */
  vip: string;
  vipAddress: string;
  ports: KernelPort[];
  backends: KernelBackend[];
  nat: NatMode;
  affinity: Affinity;
  /** HLB-6 "physical": the edges' UDP answers bypass conntrack (no-NAT pools only). */
  answerFrom?: AnswerFrom;
}

export interface KernelModel {
  /** The nftables table (family ip) holding everything; default "edgesim". */
  table?: string;
  pools: KernelPool[];
}

/** A fixed hash seed, so a client's slot is the same in every run (reproducible lessons). */
export const JHASH_SEED = 0x45444745; // "EDGE"

const DEFAULT_TABLE = "edgesim";
const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function tableOf(model: Pick<KernelModel, "table">): string {
  return model.table ?? DEFAULT_TABLE;
}

/** The map name of a pool: "vip_access_5061", "vip_av" style (one per VIP and first port). */
export function mapName(pool: Pick<KernelPool, "vip" | "ports">): string {
  const ports = pool.ports.length === 1 ? `_${pool.ports[0]!.port}` : "";
  return `${pool.vip.replace(/[^A-Za-z0-9]/g, "_")}${ports}`;
}

/** Fail loudly on input that would make nft parse something else than meant. */
function checkPool(pool: KernelPool): void {
  const where = `kernel balancer pool ${pool.vip}`;
  if (!IPV4.test(pool.vipAddress)) throw new RangeError(`${where}: VIP address '${pool.vipAddress}' is not an IPv4 address`);
  if (pool.backends.length === 0) throw new RangeError(`${where}: no backend servers`);
  if (pool.ports.length === 0) throw new RangeError(`${where}: no ports`);
  for (const b of pool.backends) if (!IPV4.test(b.address)) throw new RangeError(`${where}: backend ${b.server} address '${b.address}' is not an IPv4 address`);
  for (const p of pool.ports) if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) throw new RangeError(`${where}: port ${p.port} out of range`);
  if (!IDENT.test(mapName(pool))) throw new RangeError(`${where}: '${mapName(pool)}' is not an nftables identifier`);
}

/** The slot expression: source hash (affinity) or round robin per new flow (HLB-6 "none"). */
function slotExpr(pool: KernelPool): string {
  const n = pool.backends.length;
  return pool.affinity === "source" ? `jhash ip saddr mod ${n} seed 0x${JHASH_SEED.toString(16)}` : `numgen inc mod ${n}`;
}

function dnatRules(pool: KernelPool): string[] {
  return pool.ports.map((p) => `ip daddr ${pool.vipAddress} ${p.transport} dport ${p.port} dnat ip to ${slotExpr(pool)} map @${mapName(pool)} comment "${pool.vip} ${p.transport} ${p.port}: ${pool.affinity === "source" ? "source-address affinity" : "round robin, no affinity (HLB-6)"}"`);
}

/** SNAT only what this pool DNATed: `ct original` names the VIP:port the client targeted. */
function snatRules(pool: KernelPool): string[] {
  if (pool.nat !== "snat") return [];
  const why = pool.vip === "vip-av" ? "SNAT on the A/V VIP: the HLB-6 misconfiguration" : "SNAT to the VIP (HLB-1)";
  return pool.ports.map((p) => `ct status dnat ct original ip daddr ${pool.vipAddress} ct original protocol ${p.transport} ct original proto-dst ${p.port} snat ip to ${pool.vipAddress} comment "${pool.vip} ${p.transport} ${p.port}: ${why}"`);
}

/** HLB-6 "physical": the edges' UDP answers skip conntrack, so nothing rewrites their source. */
function notrackRules(pool: KernelPool): string[] {
  if (pool.nat !== "no-nat" || pool.answerFrom !== "physical") return [];
  return pool.ports.filter((p) => p.transport === "udp").flatMap((p) =>
    pool.backends.map((b) => `ip saddr ${b.address} udp sport ${p.port} notrack comment "${b.server} answers from its physical address (HLB-6)"`));
}

/**
 * Which backend each slot points at: a healthy server keeps its own slot; a dead
 * server's slot goes to the survivors in turn. Empty when no server is healthy (the
 * DNAT lookup then finds nothing and the VIP refuses, as the userland VIP does).
 */
export function slotAssignment(pool: Pick<KernelPool, "backends">, healthy: readonly string[]): KernelBackend[] {
  const up = pool.backends.filter((b) => healthy.includes(b.server));
  if (up.length === 0) return [];
  let next = 0;
  return pool.backends.map((b) => (healthy.includes(b.server) ? b : up[next++ % up.length]!));
}

/**
 * The commands that set a pool's map to the healthy servers, as one nft transaction
 * (flush and refill are applied atomically: no packet sees an empty map in between).
 */
export function mapUpdate(model: Pick<KernelModel, "table">, pool: KernelPool, healthy: readonly string[]): string {
  checkPool(pool);
  const slots = slotAssignment(pool, healthy);
  const lines = [`flush map ip ${tableOf(model)} ${mapName(pool)}`];
  if (slots.length) lines.push(`add element ip ${tableOf(model)} ${mapName(pool)} { ${slots.map((b, i) => `${i} : ${b.address}`).join(", ")} }`);
  return lines.join("\n") + "\n";
}

/** The whole ruleset for `nft -f -`: replaces the table (delete first when it exists) with every server healthy. */
export function renderRuleset(model: KernelModel): string {
  for (const p of model.pools) checkPool(p);
  const names = model.pools.map(mapName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new RangeError(`kernel balancer: two pools share the map name '${dup}'`);
  const t = tableOf(model);
  const indent = (rules: string[]) => rules.map((r) => `    ${r}`).join("\n");
  const maps = model.pools.map((p) => `  map ${mapName(p)} {\n    typeof numgen inc mod ${p.backends.length} : ip daddr\n    comment "${p.vip} ${p.ports.map((x) => `${x.transport}/${x.port}`).join(" ")} (${p.nat})"\n  }`);
  const body = [
    ...maps,
    `  chain nat_output {\n    type nat hook output priority -100; policy accept;\n${indent(model.pools.flatMap(dnatRules))}\n  }`,
    `  chain nat_postrouting {\n    type nat hook postrouting priority 100; policy accept;\n${indent(model.pools.flatMap(snatRules))}\n  }`,
    `  chain raw_output {\n    type filter hook output priority -300; policy accept;\n${indent(model.pools.flatMap(notrackRules))}\n  }`,
  ];
  const all = model.pools.map((p) => p.backends.map((b) => b.server));
  return [
    `table ip ${t}\ndelete table ip ${t}`,
    `table ip ${t} {\n${body.join("\n")}\n}`,
    ...model.pools.map((p, i) => mapUpdate(model, p, all[i]!).trimEnd()),
  ].join("\n") + "\n";
}

/** The command that removes everything this model added. */
export function deleteRuleset(model: Pick<KernelModel, "table">): string {
  return `delete table ip ${tableOf(model)}\n`;
}
