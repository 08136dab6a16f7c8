/**
 * Which network namespace this process is in, and nft inside it. The one hard rule
 * (BRIEF, issue 12): nothing is ever added to the host's own nftables. Every nft
 * command goes through `nftApply`, which first checks that this process is NOT in the
 * namespace of pid 1 (the host's, or the container's own) and refuses otherwise.
 */
import { execFile, spawn } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";

export interface NetnsStatus {
  /** True when this process runs in a network namespace other than pid 1's. */
  private: boolean;
  /** "net:[4026532173]" */
  self: string;
  why: string;
}

/** The interfaces of this process's network namespace (/proc/self/net/dev). */
function interfaces(): string[] {
  try {
    return readFileSync("/proc/self/net/dev", "utf8").split("\n").slice(2).map((l) => l.split(":")[0]!.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

function nsOf(pid: number | "self"): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

/** The network namespace of the nearest readable ancestor that is in another one, if any. */
function ancestorOutside(self: string): string | undefined {
  let pid = process.ppid;
  for (let hops = 0; pid > 1 && hops < 64; hops++) {
    const ns = nsOf(pid);
    if (ns && ns !== self) return ns;
    const stat = (() => {
      try {
        return readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        return "";
      }
    })();
    pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] ?? 0);
  }
  return undefined;
}

/**
 * Whether this process runs in a network namespace the project may load rules in: one
 * with nothing but loopback (what `unshare -n` and our re-exec make), which is not pid 1's
 * (when pid 1 can be read), or which edgesim's re-exec or one of this process's own
 * ancestors left (when it cannot: a sandbox may hide pid 1).
 */
export function netnsStatus(): NetnsStatus {
  const self = nsOf("self");
  if (!self) return { private: false, self: "?", why: "cannot read /proc/self/ns/net" };
  const others = interfaces().filter((i) => i !== "lo");
  if (others.length) return { private: false, self, why: `this network namespace ${self} has interfaces besides loopback (${others.join(", ")}): it is the host's, and the kernel balancer never loads rules there` };
  const init = nsOf(1);
  if (init) return init === self
    ? { private: false, self, why: `this process shares pid 1's network namespace ${init} (the host's): the kernel balancer never loads rules there` }
    : { private: true, self, why: `private network namespace ${self}` };
  if (process.env.EDGESIM_NETNS === self) return { private: true, self, why: `network namespace ${self} made by edgesim's re-exec` };
  const outside = ancestorOutside(self);
  return outside
    ? { private: true, self, why: `private network namespace ${self} (an ancestor process runs in ${outside})` }
    : { private: false, self, why: `cannot tell network namespace ${self} from the host's (pid 1 unreadable, no ancestor outside it)` };
}

/** Throws unless this process is in a private network namespace. */
export function assertPrivateNetns(what: string): void {
  const s = netnsStatus();
  if (!s.private) throw new Error(`refusing to ${what}: ${s.why}`);
}

/** `nft -f -` with the script on stdin, inside this (private) namespace only. */
export function nftApply(script: string): Promise<void> {
  assertPrivateNetns("run nft");
  return new Promise((resolve, reject) => {
    const p = spawn("nft", ["-f", "-"], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.once("error", (e) => reject(new Error(`nft: ${e.message}`)));
    p.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`nft -f - exited ${code}: ${err.trim()}`))));
    p.stdin.end(script);
  });
}

/** Deletes the conntrack entries of flows to VIP:port (DNATed to `backend` only, when given; exit 1 = none: fine). */
export function conntrackForget(flow: { transport: "udp" | "tcp"; vipAddress: string; port: number; backend?: string }): Promise<void> {
  assertPrivateNetns("run conntrack");
  const args = ["-D", "-p", flow.transport, "--orig-dst", flow.vipAddress, "--orig-port-dst", String(flow.port), ...(flow.backend ? ["--reply-src", flow.backend] : [])];
  return new Promise((resolve, reject) => {
    execFile("conntrack", args, { timeout: 10_000 }, (e, _out, stderr) => {
      if (!e || (e as { code?: unknown }).code === 1) return resolve();
      reject(new Error(`conntrack ${args.join(" ")}: ${stderr.trim() || e.message}`));
    });
  });
}

/** A read-only nft or conntrack listing in this (private) namespace, for tests and lessons. */
export function listIn(cmd: "nft" | "conntrack", args: string[]): Promise<string> {
  assertPrivateNetns(`run ${cmd}`);
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${cmd} ${args.join(" ")}: ${stderr.trim() || e.message}`)) : resolve(stdout)));
  });
}

/** Whether the kernel balancer can run here: a private namespace and a working nft. */
export async function kernelBalancerAvailable(): Promise<{ ok: boolean; why: string }> {
  const s = netnsStatus();
  if (!s.private) return { ok: false, why: s.why };
  try {
    await listIn("nft", ["list", "tables"]);
    return { ok: true, why: s.why };
  } catch (e) {
    return { ok: false, why: `nft does not work in ${s.self}: ${(e as Error).message}` };
  }
}
