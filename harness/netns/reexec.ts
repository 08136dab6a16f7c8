/**
 * A world in its own network namespace (issue 12 item 1). A Node process cannot move
 * itself into another network namespace (setns(2) applies to one thread, and libuv's
 * threads would stay behind), so `edgesim up --balancer kernel` re-executes itself:
 *
 *   host:  edgesim up (parent)  --spawn-->  unshare --net [--user --map-root-user]
 *                                              sh: ip link set lo up; exec edgesim up ...
 *   netns: edgesim up (child: the world, the nft ruleset, the dashboard)
 *
 * The parent passes stdout/stderr through untouched (the ready line, --json included,
 * is the child's), forwards SIGINT/SIGTERM, exits with the child's code, and forwards
 * the dashboard's TCP address on the host to a unix socket the child serves (file
 * systems are not per network namespace): forward.ts.
 *
 * `unshare` without a name: the namespace lives exactly as long as a process in it, so
 * it disappears when the world stops, is killed, or crashes: there is nothing to delete
 * and nothing can leak (a named `ip netns add` would leave a mount behind on SIGKILL).
 */
import { spawn, spawnSync } from "node:child_process";
import { readlinkSync } from "node:fs";

/** Set by the re-exec to the namespace it made, so the child knows it is inside. */
export const NETNS_ENV = "EDGESIM_NETNS";

export function insideWorldNamespace(): boolean {
  try {
    return process.env[NETNS_ENV] === readlinkSync("/proc/self/ns/net");
  } catch {
    return false;
  }
}

/** `unshare` flags: a network namespace as root, a user + network namespace (root mapped) otherwise. */
export function unshareFlags(uid = process.getuid?.() ?? -1): string[] {
  return uid === 0 ? ["--net"] : ["--user", "--map-root-user", "--net"];
}

/**
 * The `unshare` arguments that run `command` in a new network namespace with loopback up
 * (exit 70 when it cannot be brought up). `prelude` is shell run first, inside (e.g. a
 * ulimit); `name` is the shell's argv[0], what `ps` shows.
 */
export function namespaceArgv(o: { name: string; command: string[]; prelude?: string }): string[] {
  return [...unshareFlags(), "--", "sh", "-c", `ip link set lo up || exit 70; ${o.prelude ?? ""}exec "$@"`, o.name, ...o.command];
}

/** Can a namespace be made here? Tries `unshare ... true` once and says why not. */
export function canMakeNamespace(): { ok: true } | { ok: false; why: string } {
  const flags = unshareFlags();
  const r = spawnSync("unshare", [...flags, "true"], { encoding: "utf8", timeout: 10_000 });
  if (r.error) return { ok: false, why: `unshare ${flags.join(" ")}: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, why: `unshare ${flags.join(" ")} failed: ${(r.stderr || `exit ${r.status}`).trim()}` };
  return { ok: true };
}

export interface ReexecOptions {
  /** Extra environment for the child (e.g. the run-file directory). */
  env?: Record<string, string>;
  /** Told the child's pid once it runs (== the namespace's first process: unshare execs, it does not fork). */
  onChild?: (pid: number) => void;
}

/**
 * Runs this same command (node, its loader flags, the script and every argument) inside
 * a new network namespace with loopback up; resolves with the child's exit code.
 */
export function reexecInNamespace(o: ReexecOptions = {}): Promise<number> {
  const argv = namespaceArgv({
    name: "edgesim-netns",
    prelude: `${NETNS_ENV}=$(readlink /proc/self/ns/net); export ${NETNS_ENV}; `,
    command: [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
  });
  // Its own process group: a Ctrl-C in the terminal reaches the parent only, which forwards it
  // once (the world would take a second SIGINT during its shutdown as "die now").
  const child = spawn("unshare", argv, { stdio: "inherit", detached: true, env: { ...process.env, ...o.env } });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  if (child.pid) o.onChild?.(child.pid);
  return new Promise((resolve) => {
    child.once("error", (e) => {
      process.stderr.write(`edgesim: could not start unshare: ${e.message}\n`);
      resolve(70);
    });
    child.once("exit", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1));
    });
  });
}
