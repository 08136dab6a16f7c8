/**
 * Start and stop one Kamailio instance with its own configuration, run folder and
 * log (`kamailio -f CFG -DD -E -Y RUNDIR -w DIR -m 512 -M 16`), stopped by its PID.
 * Ready when it accepts TCP on its listen address (bounded wait).
 *
 * Shared memory (-m) bounds a stateful relay's rate: tm keeps every completed
 * transaction for wt_timer (5 s) and each holds ~10 KB of shared memory (request,
 * branch buffer, reply), so a relay needs about rate x 5 s x 10 KB. When free shared
 * memory falls under 3 MB, the tls module's OpenSSL bug #1491 workaround refuses every
 * TLS operation ("not enough memory for safe operation"), the send fails and the
 * connection is dropped: at 512 MB that happens near 10,000 MESSAGE/s. A stateful
 * relay under load passes `sharedMemoryMb` to fit its rate; pages are touched only as used.
 *
 * Kamailio resolves through libc, which reads /etc/resolv.conf and asks port 53. With
 * `resolvConf` (root only) it runs in its own mount namespace (`unshare -m`, private
 * propagation) where that file is bind-mounted over /etc/resolv.conf, so its DNS
 * queries go to the sandbox DNS and nowhere else; the network is the machine's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { assertLoopback } from "../../../edge/net/loopback.ts";

export class KamailioProcess {
  #child: ChildProcess | undefined;
  log = "";

  constructor(readonly cfgFile: string, readonly dir: string, readonly listen: { address: string; port: number }, readonly opts: { resolvConf?: string; sharedMemoryMb?: number } = {}) {}

  async start(timeoutMs = 5000): Promise<void> {
    const run = join(this.dir, "run");
    mkdirSync(run, { recursive: true });
    const args = ["-f", this.cfgFile, "-DD", "-E", "-Y", run, "-w", this.dir, "-m", String(this.opts.sharedMemoryMb ?? 512), "-M", "16"];
    // unshare and sh exec into kamailio: the PID we stop is Kamailio's own.
    const child = this.opts.resolvConf
      ? spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec kamailio "$@"', this.opts.resolvConf, ...args], { stdio: ["ignore", "ignore", "pipe"] })
      : spawn("kamailio", args, { stdio: ["ignore", "ignore", "pipe"] });
    this.#child = child;
    child.stderr?.on("data", (d: Buffer) => {
      if (this.log.length < 64 * 1024) this.log += d.toString();
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`kamailio (${this.cfgFile}) exited ${child.exitCode} at start: ${this.log.slice(-2000)}`);
      if (await this.#accepts()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(`kamailio (${this.cfgFile}) did not accept on ${this.listen.address}:${this.listen.port} within ${timeoutMs} ms: ${this.log.slice(-2000)}`);
  }

  #accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = net.connect({ host: assertLoopback(this.listen.address), port: this.listen.port });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}
