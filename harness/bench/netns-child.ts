/**
 * A bench arm that must run in a private network namespace (the kernel balancer's
 * nftables rules are never loaded in the host's: harness/netns/netns.ts): runs a script
 * in a child under `unshare --net` with loopback up, bounded in time, and hands back the
 * JSON of its last stdout line, or why there is none (exit code, signal, last stderr lines).
 */
import { spawn } from "node:child_process";
import { projectPath } from "../paths/project-root.ts";
import { namespaceArgv } from "../netns/reexec.ts";

export interface NamespaceChildOptions {
  /** The script to run, relative to the project root (e.g. "harness/bench/hlb-kernel-main.ts"). */
  script: string;
  /** The child's name in `ps` (argv[0] of its shell). */
  name: string;
  timeoutMs: number;
  /** Raise the soft open-file limit to the hard one first (for connection counts). */
  raiseFdLimit?: boolean;
}

export type NamespaceChildResult = { ok: true; json: unknown } | { ok: false; why: string };

export function runInNamespace(o: NamespaceChildOptions): Promise<NamespaceChildResult> {
  const argv = namespaceArgv({
    name: o.name,
    ...(o.raiseFdLimit ? { prelude: 'ulimit -n "$(ulimit -Hn)" || exit 71; ' } : {}),
    command: [process.execPath, ...process.execArgv, projectPath(o.script)],
  });
  return new Promise((resolve) => {
    const child = spawn("unshare", argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, why: `unshare: ${e.message}` });
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").pop() ?? "";
      if (code === 0 && /^[[{]/.test(line)) return resolve({ ok: true, json: JSON.parse(line) });
      resolve({ ok: false, why: `the namespace child ended with ${signal ?? `exit ${code}`}: ${err.trim().split("\n").slice(-3).join(" / ") || "no output"}` });
    });
  });
}
