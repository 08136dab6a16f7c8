/**
 * `edgesim exec -- CMD...` and `edgesim shell`: run a command (or a shell) inside the
 * network namespace of a world started with the kernel balancer (issue 12 item 3), as
 * Mininet's `h1 ping h2`: `edgesim exec -- nft list ruleset`, `edgesim exec -- conntrack -L`,
 * `edgesim exec -- dig @127.40.0.53 sip.contoso.test`, `edgesim exec -- tcpdump -i lo`.
 * The world is found by its run file (<state dir>/run/world-<pid>.json); nsenter enters
 * its network namespace (and its user namespace when it runs as a normal user).
 */
import { spawn } from "node:child_process";
import type { Command } from "commander";
import { runningWorlds, type RunFile } from "../../netns/run-file.ts";

interface ExecOptions {
  stateDir: string;
  pid?: string;
}

/** The world to enter: the one with --pid, else the newest running one. */
export function pickWorld(stateDir: string, pid?: string): RunFile {
  const worlds = runningWorlds(stateDir);
  if (pid !== undefined) {
    const w = worlds.find((x) => String(x.pid) === pid);
    if (!w) throw new Error(`no running world with pid ${pid} in ${stateDir}/run (running: ${worlds.map((x) => x.pid).join(", ") || "none"})`);
    return w;
  }
  const w = worlds[0];
  if (!w) throw new Error(`no world in its own network namespace is running (no live run file in ${stateDir}/run): start one with 'edgesim up --balancer kernel'`);
  return w;
}

/** The nsenter arguments that run `cmd` in the world's namespace. */
export function nsenterArgs(w: RunFile, cmd: string[]): string[] {
  return ["--target", String(w.pid), ...(w.userns ? ["--user", "--preserve-credentials"] : []), "--net", "--", ...cmd];
}

function runIn(w: RunFile, cmd: string[]): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn("nsenter", nsenterArgs(w, cmd), { stdio: "inherit" });
    p.once("error", (e) => {
      process.stderr.write(`edgesim: nsenter: ${e.message}\n`);
      resolve(127);
    });
    p.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function enter(opts: ExecOptions, cmd: string[]): Promise<void> {
  let w: RunFile;
  try {
    w = pickWorld(opts.stateDir, opts.pid);
  } catch (e) {
    process.stderr.write(`edgesim: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = await runIn(w, cmd);
}

export function registerExec(program: Command): void {
  program
    .command("exec")
    .description("run a command inside the network namespace of the running world (edgesim up --balancer kernel)")
    .argument("<command...>", "the command and its arguments, after --")
    .option("--state-dir <dir>", "where the run files live", ".edgesim")
    .option("--pid <pid>", "which world, when several run")
    .action((cmd: string[], opts: ExecOptions) => enter(opts, cmd));
  program
    .command("shell")
    .description("open a shell inside the network namespace of the running world")
    .option("--state-dir <dir>", "where the run files live", ".edgesim")
    .option("--pid <pid>", "which world, when several run")
    .action((opts: ExecOptions) => enter(opts, [process.env.SHELL || "/bin/sh"]));
}
