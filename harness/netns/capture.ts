/**
 * `--pcap` with the kernel balancer (issue 12 item 4): tcpdump on the world namespace's
 * loopback, so every packet in the file really crossed the kernel: the client's datagram to
 * the VIP, its DNATed copy to the edge (the client's own address kept: HLB-2, or the VIP's
 * after SNAT: HLB-1/HLB-6), and the answers. Runs only inside a private namespace (the
 * host's loopback is not ours to capture).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { assertPrivateNetns } from "./netns.ts";

export class LoopbackCapture {
  private constructor(private readonly p: ChildProcess, private stderr: { text: string }) {}

  /** Starts tcpdump -i lo -w FILE and resolves once it is listening. */
  static start(file: string, timeoutMs = 10_000): Promise<LoopbackCapture> {
    assertPrivateNetns("capture on loopback");
    const p = spawn("tcpdump", ["-i", "lo", "-n", "-U", "-w", file], { stdio: ["ignore", "ignore", "pipe"] });
    const stderr = { text: "" };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`tcpdump did not start within ${timeoutMs} ms: ${stderr.text.trim()}`)), timeoutMs);
      const fail = (e: Error) => {
        clearTimeout(timer);
        p.kill("SIGKILL");
        reject(e);
      };
      p.once("error", (e) => fail(new Error(`tcpdump: ${e.message}`)));
      p.once("exit", (code) => fail(new Error(`tcpdump exited ${code}: ${stderr.text.trim()}`)));
      p.stderr!.on("data", (d: Buffer) => {
        stderr.text += d.toString();
        if (!stderr.text.includes("listening on")) return;
        clearTimeout(timer);
        p.removeAllListeners("exit");
        p.removeAllListeners("error");
        resolve(new LoopbackCapture(p, stderr));
      });
    });
  }

  /** Stops tcpdump (it flushes the file) and returns how many packets it wrote. */
  async stop(): Promise<number> {
    if (this.p.exitCode === null && this.p.signalCode === null) {
      const done = new Promise((r) => this.p.once("close", r));
      this.p.kill("SIGINT");
      await done;
    }
    return Number(/(\d+) packets? captured/.exec(this.stderr.text)?.[1] ?? 0);
  }
}
