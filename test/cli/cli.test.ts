import { describe, expect, it } from "vitest";
import { spawn, execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { stringify } from "yaml";
import { ZONE_BASE } from "../kit/bases.ts";
import { canBind } from "../kit/sockets.ts";
import { topologyAt } from "../kit/world.ts";
import { TOPOLOGIES } from "../../harness/topology/registry.ts";
import { buildAddressPlan } from "../../harness/world/address-plan.ts";
import { DASHBOARD_PORT } from "../../harness/cli/commands/up.ts";

const BIN = join(import.meta.dirname, "../../harness/cli/bin.mjs");
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "edgesim-cli-"));
const topologyFile = join(dir, "world.yaml");
writeFileSync(topologyFile, stringify(topologyAt(ZONE_BASE.cli)));


describe("the edgesim command", () => {
  it("`edgesim up --json` prints one ready line, and on SIGINT closes every socket and exits 0; --trace and --pcap overwrite their files", async () => {
    // A previous run's files: both must be replaced, not appended to.
    writeFileSync(join(dir, "trace.jsonl"), '{"kind":"from.an.older.run"}\n');
    writeFileSync(join(dir, "up.pcap"), "an older capture");
    const child = spawn(process.execPath, [BIN, "up", "--json", "-t", topologyFile, "--state-dir", dir, "--trace", join(dir, "trace.jsonl"), "--pcap", join(dir, "up.pcap")], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const readyLine = await new Promise<string>((resolve, reject) => {
      // A hang guard, not a speed check: on a loaded 2-core machine (the whole suite beside
      // other work) tsx start-up plus a world start took over 15 s.
      const timer = setTimeout(() => reject(new Error(`no ready line in 60 s; stderr: ${stderr}`)), 60_000);
      child.stdout.on("data", (d) => {
        stdout += d;
        const line = stdout.split("\n")[0];
        if (stdout.includes("\n") && line) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      child.once("exit", (code) => reject(new Error(`exited ${code} before ready; stderr: ${stderr}`)));
    });
    const ready = JSON.parse(readyLine);
    expect(ready.ready).toBe(true);
    expect(ready.dns.external).toMatch(new RegExp(`^127\\.${ZONE_BASE.cli + 3}\\.0\\.53:\\d+$`));
    expect(readFileSync(ready.ca, "utf8")).toContain("BEGIN CERTIFICATE");
    expect(ready.endpoints.length).toBeGreaterThan(0);
    for (const e of ready.endpoints) {
      expect(Object.keys(e).sort()).toEqual(["address", "fqdn", "host", "port", "role", "transport", "vip"]);
      expect(e.address).toMatch(/^127\./);
      expect(await canBind(e), `${e.transport} ${e.address}:${e.port} is in use while the world is up`).toBe(false);
    }
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    expect(stdout).toContain('{"stopped":true}');
    for (const e of ready.endpoints) expect(await canBind(e), `${e.transport} ${e.address}:${e.port} still bound after stop`).toBe(true);
    const trace = readFileSync(join(dir, "trace.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(trace.map((e) => e.kind)).toEqual(expect.arrayContaining(["world.starting", "service.listening", "world.ready", "world.stopped"]));
    expect(trace[0].kind).toBe("world.starting");
    expect(readFileSync(join(dir, "up.pcap")).readUInt32LE(0), "the pcap starts with its magic number, not the older bytes").toBe(0xa1b2c3d4);
  }, 90_000);

  it("`edgesim up` whose dashboard cannot start stops the world, says why and exits 2 instead of hanging with its sockets open", async () => {
    // Someone else holds the dashboard's address and port.
    const dashboard = buildAddressPlan(topologyAt(ZONE_BASE.cli)).byHost("dashboard").address;
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(DASHBOARD_PORT, dashboard, () => resolve()));
    try {
      const child = spawn(process.execPath, [BIN, "up", "--json", "-t", topologyFile, "--state-dir", dir, "--services", "dns"], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const code = await new Promise<number | null | "hung">((resolve) => {
        const timer = setTimeout(() => resolve("hung"), 30_000);
        child.once("exit", (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      if (code === "hung") child.kill("SIGKILL");
      expect(code).toBe(2);
      expect(stderr).toContain(`the dashboard could not start on ${dashboard}:${DASHBOARD_PORT}`);
      expect(stderr).toContain("the world was stopped");
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  }, 40_000);

  it("`edgesim validate` names file, line, field and rule of a bad topology, and exits 2", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, readFileSync(TOPOLOGIES.contoso!.file, "utf8").replace('- { Identity: blocked.test, Comment: "FED-6" }', "- { Identity: litware.test }"));
    const err = await run(process.execPath, [BIN, "validate", bad]).then(() => undefined, (e) => e as { code: number; stderr: string });
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, "\\.")}:\\d+:\\d+: federation\\.blockedDomains\\[0\\]\\.Identity: litware\\.test is on both the allow list \\(federation\\.allowedDomains\\[1\\]\\.Identity\\) and the block list \\(FED-6\\)`));
  });

  it("`edgesim validate` accepts the shipped topology, and DNS-5: warns (exit 0) that OCS 2007 northwind's DNS-load-balanced pool was not supported", async () => {
    const { stdout, stderr } = await run(process.execPath, [BIN, "validate", TOPOLOGIES.contoso!.file]);
    expect(stdout).toMatch(/valid topology 'contoso' \(2 edge servers, 8 partners, 1 warning\)/);
    expect(stderr).toMatch(/^warning: .*contoso\.yaml:\d+:\d+: partners\[2\]\.loadBalancing: northwind\.test runs ocs2007, which did not support DNS load balancing .*\(DNS-5\)$/m);
  });

  it("DNS-4: `edgesim dns` answers from the chosen view with real packets", async () => {
    const args = ["dns", "lyncdiscoverinternal.contoso.test", "A", "-t", topologyFile, "--state-dir", dir];
    const outside = await run(process.execPath, [BIN, ...args]).then(() => undefined, (e) => e as { code: number; stdout: string });
    expect(outside?.code).toBe(1);
    expect(outside?.stdout).toContain("status: NXDOMAIN");
    const { stdout } = await run(process.execPath, [BIN, ...args, "--view", "internal"]);
    expect(stdout).toMatch(new RegExp(`lyncdiscoverinternal\\.contoso\\.test 300 IN A 127\\.${ZONE_BASE.cli}\\.0\\.10`)); // the internal web services VIP (MOB-5)
  });

  it("`edgesim certs` lists SANs and EKUs", async () => {
    const { stdout } = await run(process.execPath, [BIN, "certs", "-t", topologyFile, "--state-dir", dir, "--json"]);
    const certs = JSON.parse(stdout).certificates as { name: string; eku: string[]; san: string[] }[];
    const edge = certs.find((c) => c.name === "edge-external")!;
    expect(edge.eku).toEqual(["serverAuth", "clientAuth"]);
    expect(edge.san).toContain("sip.contoso.test");
    expect(edge.san).toContain("*.contoso.test"); // CERT-1: contoso federates over XMPP
  });
});
