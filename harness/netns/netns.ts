/**
 * Which network namespace this process is in, and nft inside it. The one hard rule
 * (BRIEF, issue 12): nothing is ever added to the host's own nftables. Every nft
 * command goes through `nftApply`, which first checks that this process is NOT in the
 * namespace of pid 1 (the host's, or the container's own) and refuses otherwise.
 */
import { execFile, spawn } from "node:child_process";
import { readlinkSync } from "node:fs";

export interface NetnsStatus {
  /** True when this process runs in a network namespace other than pid 1's. */
  private: boolean;
  /** "net:[4026532173]" */
  self: string;
  why: string;
}

/** Compares this process's network namespace with pid 1's (needs to read /proc/1/ns/net: root, or the same user namespace owner). */
export function netnsStatus(): NetnsStatus {
  let self: string;
  try {
    self = readlinkSync("/proc/self/ns/net");
  } catch (e) {
    return { private: false, self: "?", why: `cannot read /proc/self/ns/net: ${(e as Error).message}` };
  }
  let init: string;
  try {
    init = readlinkSync("/proc/1/ns/net");
  } catch {
    // A user namespace cannot read pid 1's links: trust only the marker our own re-exec sets.
    return process.env.EDGESIM_NETNS === self
      ? { private: true, self, why: "edgesim re-executed itself in this namespace (EDGESIM_NETNS)" }
      : { private: false, self, why: "cannot compare with pid 1's network namespace (/proc/1/ns/net unreadable) and EDGESIM_NETNS does not name this one" };
  }
  return self === init
    ? { private: false, self, why: `this process shares pid 1's network namespace ${init} (the host's): the kernel balancer never loads rules there` }
    : { private: true, self, why: `private network namespace ${self}` };
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
