/**
 * What `edgesim up` and `edgesim run` do about the balancer choice (issue 12 item 1):
 * - on the host, with the kernel balancer asked for: re-execute inside a new network
 *   namespace (reexec.ts) and forward the dashboard; when no namespace can be made, say
 *   why on stderr and run the userland balancer here;
 * - inside that namespace: write the run file (exec/shell find the world by it) and serve
 *   the dashboard on the unix socket the parent forwards to.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Topology } from "../topology/schema.ts";
import type { World } from "../world/world.ts";
import type { RunningHlb } from "../world/hlb-service.ts";
import { canMakeNamespace, insideWorldNamespace, reexecInNamespace, unshareFlags } from "./reexec.ts";
import { tcpToUnix, unixToTcp, type Forwarder } from "./forward.ts";
import { removeRunFile, writeRunFile } from "./run-file.ts";

export type BalancerKind = "userland" | "kernel";
const SOCKET_ENV = "EDGESIM_DASHBOARD_SOCKET";
const USERNS_ENV = "EDGESIM_USERNS";

export function parseBalancer(v: string | undefined): BalancerKind | undefined {
  if (v === undefined || v === "userland" || v === "kernel") return v;
  throw new RangeError(`--balancer: '${v}' is not one of userland, kernel`);
}

export type NamespacePlan =
  /** The child ran in its namespace and exited with this code: the parent is done. */
  | { ran: true; exitCode: number }
  /** Go on here: the balancer to set on the topology, and why the kernel one is not used, if asked for. */
  | { ran: false; balancer: BalancerKind; fallback?: string };

/**
 * Decides where the world runs. `dashboard` is the dashboard's address on the host (the
 * forwarder listens there while the child runs), or undefined without a dashboard.
 */
export async function planNamespace(topology: Topology, o: NamespaceOptions): Promise<NamespacePlan> {
  const balancer = parseBalancer(o.balancer) ?? topology.organisation.edgePool.balancer;
  const plan = await enterNamespaceFor(balancer, o);
  topology.organisation.edgePool.balancer = plan.ran ? balancer : plan.balancer;
  return plan;
}

export interface NamespaceOptions {
  balancer?: string;
  stateDir: string;
  dashboard?: { address: string; port: number };
}

/** The same decision without a topology (`edgesim run`: each scenario has its own). */
export async function enterNamespaceFor(balancer: BalancerKind, o: NamespaceOptions): Promise<NamespacePlan> {
  if (balancer !== "kernel" || insideWorldNamespace()) return { ran: false, balancer };
  const can = canMakeNamespace();
  if (!can.ok) {
    const fallback = `no network namespace can be made here (${can.why}): the userland balancer runs`;
    process.stderr.write(`edgesim: ${fallback}\n`);
    return { ran: false, balancer: "userland", fallback };
  }
  const sockPath = dashboardSocketPath(o.stateDir);
  let fwd: Forwarder | undefined;
  if (o.dashboard) {
    fwd = await tcpToUnix(o.dashboard, sockPath).catch((e: Error) => {
      process.stderr.write(`edgesim: the dashboard will not be reachable from the host: ${e.message}\n`);
      return undefined;
    });
  }
  try {
    const exitCode = await reexecInNamespace({ env: { [SOCKET_ENV]: sockPath, [USERNS_ENV]: unshareFlags().includes("--user") ? "1" : "0" } });
    return { ran: true, exitCode };
  } finally {
    await fwd?.close();
  }
}

function dashboardSocketPath(stateDir: string): string {
  const p = join(resolve(stateDir), "run", `dashboard-${process.pid}.sock`);
  return p.length < 100 ? p : join(tmpdir(), `edgesim-dashboard-${process.pid}.sock`); // sun_path holds 108 bytes
}

/** The balancer that runs, for the ready line and the JSON. */
export function balancerInfo(world: World): { balancer: BalancerKind | "none"; balancerFallback?: string } {
  let hlb: RunningHlb;
  try {
    hlb = world.service("hlb") as RunningHlb;
  } catch {
    return { balancer: "none" };
  }
  if (!hlb.endpoints.length && hlb.balancer === "userland" && !hlb.fallback) return { balancer: "none" };
  return { balancer: hlb.balancer, ...(hlb.fallback ? { balancerFallback: hlb.fallback } : {}) };
}

/**
 * Inside the namespace, once the world is up: the run file, and the dashboard on the
 * parent's unix socket. Returns what undoes both (call it on stop, errors included).
 */
export async function announceInNamespace(world: World, o: { stateDir: string; dashboard?: { address: string; port: number } }): Promise<() => Promise<void>> {
  if (!insideWorldNamespace()) return async () => undefined;
  const sock = process.env[SOCKET_ENV];
  if (sock) mkdirSync(dirname(sock), { recursive: true });
  const fwd = o.dashboard && sock ? await unixToTcp(sock, o.dashboard).catch(() => undefined) : undefined;
  writeRunFile(o.stateDir, {
    pid: process.pid, netns: `/proc/${process.pid}/ns/net`, userns: process.env[USERNS_ENV] === "1",
    topology: world.topology.name, balancer: balancerInfo(world).balancer === "kernel" ? "kernel" : "userland",
    ...(fwd && sock ? { dashboardSocket: sock } : {}), startedAt: new Date().toISOString(),
  });
  // The parent on the host forwards signals; if it dies (SIGKILL), stop rather than run orphaned.
  const parent = process.ppid;
  const watch = setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, "SIGTERM"); }, 1000);
  watch.unref();
  return async () => {
    clearInterval(watch);
    removeRunFile(o.stateDir, process.pid);
    await fwd?.close();
  };
}
