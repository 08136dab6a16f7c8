/**
 * `edgesim up --balancer kernel` (issue 12 items 1 and 3): the command re-executes itself
 * in a new network namespace, loads the nftables balancer there, prints which balancer
 * runs, keeps the dashboard reachable from where it was started, and `edgesim exec`
 * runs real tools inside (nft, conntrack, coturn's STUN client). The namespace this test
 * runs in plays the host: its ruleset must be the same before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { canMakeNamespace } from "../../harness/netns/reexec.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, hasPeer, peerIt } from "../kit/peers.ts";
import { topologyAt } from "../kit/world.ts";

const BIN = join(import.meta.dirname, "../../harness/cli/bin.mjs");
const run = promisify(execFile);
const B = ZONE_BASE.lbKernel;
const dir = mkdtempSync(join(tmpdir(), "edgesim-kernel-cli-"));
const topologyFile = join(dir, "world.yaml");
writeFileSync(topologyFile, stringify(topologyAt(B)));
const VIP_AV = `127.${B + 2}.0.12`;
const CLIENT = `127.${B + 3}.1.1`;
const can = canMakeNamespace();
const PCAP = join(dir, "kernel.pcap");

/** `edgesim exec --state-dir DIR -- CMD...` */
const inWorld = (...cmd: string[]) => run(process.execPath, [BIN, "exec", "--state-dir", dir, "--", ...cmd], { timeout: 30_000 });
const hostRuleset = async () => (hasPeer(PEERS.nft) ? (await run("nft", ["list", "ruleset"])).stdout : ""); // read only

let child: ChildProcess;
let stdout = "";
let ready: { balancer: string; dashboard?: string; endpoints: { host: string; port: number }[] };
let before: string;

describe.skipIf(!can.ok)(`edgesim up --balancer kernel${can.ok ? "" : ` (skipped: ${can.why})`}`, () => {
  beforeAll(async () => {
    before = await hostRuleset();
    child = spawn(process.execPath, [BIN, "up", "--json", "--balancer", "kernel", "-t", topologyFile, "--state-dir", dir, "--pcap", PCAP], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line in 40 s; stderr: ${stderr}`)), 40_000);
      child.stdout!.on("data", (d) => {
        stdout += d;
        if (stdout.includes("\n")) {
          clearTimeout(timer);
          resolve(stdout.split("\n")[0]!);
        }
      });
      child.once("exit", (code) => reject(new Error(`exited ${code} before ready; stderr: ${stderr}`)));
    });
    ready = JSON.parse(line);
  }, 60_000);
  afterAll(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });

  it("the ready line says the kernel balancer runs, and the VIPs are served", () => {
    expect(ready.balancer).toBe("kernel");
    expect(ready.endpoints.filter((e) => e.host === "vip-av").map((e) => e.port).sort()).toEqual([3478, 443]); // root in the namespace: no +10000
  });

  it("`edgesim exec -- nft list ruleset` shows the balancer's table inside the world's namespace", async () => {
    const { stdout: rules } = await inWorld("nft", "list", "ruleset");
    expect(rules).toContain("table ip edgesim");
    expect(rules).toContain(`ip daddr ${VIP_AV} udp dport 3478 dnat to jhash ip saddr`);
    expect(rules).toMatch(/snat to 127\.\d+\.0\.10 comment "vip-access tcp 5061: SNAT to the VIP \(HLB-1\)"/);
  });

  peerIt(PEERS.turnutils)("HLB-2: coturn's STUN client in the namespace learns its own address through the A/V VIP; conntrack shows the DNAT to an edge", async () => {
    const { stdout: out } = await inWorld("turnutils_stunclient", "-L", CLIENT, VIP_AV);
    const port = new RegExp(`UDP reflexive addr: ${CLIENT.replace(/\./g, "\\.")}:(\\d+)`).exec(out)?.[1];
    expect(port, out).toBeDefined();
    const { stdout: ct } = await inWorld("conntrack", "-L");
    const entry = ct.split("\n").find((l) => l.includes(`src=${CLIENT} dst=${VIP_AV} sport=${port} dport=3478`));
    expect(entry).toMatch(new RegExp(`src=127\\.${B + 2}\\.[12]\\.\\d+ dst=${CLIENT.replace(/\./g, "\\.")} sport=3478 dport=${port}`));
  });

  it("the dashboard stays reachable from where edgesim up was started", async () => {
    expect(ready.dashboard).toBeDefined();
    const res = await fetch(new URL("api/world", ready.dashboard));
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain("vip-av");
  });

  it("`edgesim shell` opens a shell in the world's namespace, not this one", async () => {
    const inside = await new Promise<string>((resolve, reject) => {
      const sh = spawn(process.execPath, [BIN, "shell", "--state-dir", dir], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, SHELL: "/bin/sh" } });
      let out = "";
      sh.stdout.on("data", (d) => (out += d));
      sh.once("error", reject);
      sh.once("exit", () => resolve(out.trim()));
      sh.stdin.end("readlink /proc/self/ns/net\n");
    });
    expect(inside).toMatch(/^net:\[\d+\]$/);
    expect(inside).not.toBe(readlinkSync("/proc/self/ns/net"));
  }, 30_000);

  it("on SIGINT the world stops, the run file goes, exec finds nothing, and the host's ruleset is unchanged", async () => {
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    expect(stdout).toContain('{"stopped":true}');
    expect(existsSync(join(dir, "run")) ? readdirSync(join(dir, "run")) : []).toEqual([]);
    const after = await inWorld("true").then(() => 0, (e: { code: number }) => e.code);
    expect(after).toBe(2);
    expect(await hostRuleset()).toBe(before);
  }, 30_000);

  peerIt(PEERS.tshark)("--pcap captures the namespace's loopback: the Binding to the VIP crossed the kernel DNATed to an edge, the client's address kept (HLB-2)", async () => {
    const { stdout: rows } = await run("tshark", ["-r", PCAP, "-Y", `stun && ip.src == ${CLIENT}`, "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.dstport"], { timeout: 30_000 });
    const legs = rows.trim().split("\n").filter(Boolean).map((l) => l.split("\t"));
    expect(legs.length).toBeGreaterThan(0);
    for (const [src, dst, port] of legs) {
      expect(src).toBe(CLIENT);
      expect(dst).toMatch(new RegExp(`^127\\.${B + 2}\\.[12]\\.\\d+$`)); // an edge's own A/V address, not the VIP
      expect(port).toBe("3478");
    }
  }, 60_000);
});
