/**
 * A real Prosody 0.12 as an XMPP partner domain: its own config file, data folder,
 * certificates, pidfile and log in a temporary folder; c2s and s2s on the partner's
 * loopback address; sandbox domains resolved only through the sandbox DNS (unbound
 * `forward` with hoststxt and resolvconf off, so no query leaves the machine).
 * `profile` sets what Prosody offers on s2s:
 * - "dialback": no TLS module, plain-TCP dialback;
 * - "tls-dialback": STARTTLS with a CA it does not trust, so dialback after TLS;
 * - "tls-sasl": STARTTLS, trusts the sandbox CA: SASL EXTERNAL (XEP-0178);
 * - "tls-secure": as tls-sasl, with s2s_secure_auth (certificate authentication only).
 * Accounts are written as Prosody's internal_plain files (no prosodyctl per user).
 * The log is at level info (debug logging halves Prosody's throughput); set
 * EDGESIM_PROSODY_DEBUG=1 for debug, EDGESIM_KEEP_PEER_DIRS=1 to keep the folder.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import type { EventSink } from "../../edge/events/types.ts";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import { assertLoopback } from "../../edge/net/loopback.ts";

export type ProsodyProfile = "dialback" | "tls-dialback" | "tls-sasl" | "tls-secure";

export interface ProsodyPartnerOptions {
  host: string;
  domain: string;
  address: string;
  c2sPort: number;
  s2sPort: number;
  identity: TlsIdentity;
  caFile: string;
  dns: { address: string; port: number };
  users: Record<string, string>;
  events: EventSink;
  profile?: ProsodyProfile;
  /** Extra global Lua settings, name -> Lua expression. */
  extraGlobal?: Record<string, string>;
  startTimeoutMs?: number;
}

const lua = (s: string) => JSON.stringify(s);

export class ProsodyPartner {
  readonly dir: string;
  private child: ChildProcess | undefined;

  constructor(private readonly o: ProsodyPartnerOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `edgesim-prosody-${o.domain}-`));
  }

  get logFile(): string {
    return join(this.dir, "prosody.log");
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, "utf8") : "";
  }

  writeConfig(): string {
    const o = this.o;
    const profile = o.profile ?? "tls-sasl";
    const tls = profile !== "dialback";
    mkdirSync(join(this.dir, "certs"), { recursive: true });
    const data = join(this.dir, "data");
    const accounts = join(data, o.domain.replace(/\./g, "%2e"), "accounts");
    mkdirSync(accounts, { recursive: true });
    for (const [user, password] of Object.entries(o.users)) writeFileSync(join(accounts, `${user}.dat`), `return {\n\t["password"] = ${lua(password)};\n};\n`);
    writeFileSync(join(this.dir, "certs", `${o.domain}.crt`), o.identity.certPem);
    writeFileSync(join(this.dir, "certs", `${o.domain}.key`), o.identity.keyPem, { mode: 0o600 });
    const ssl = `{ certificate = ${lua(join(this.dir, "certs", `${o.domain}.crt`))}; key = ${lua(join(this.dir, "certs", `${o.domain}.key`))};${profile === "tls-sasl" || profile === "tls-secure" ? ` cafile = ${lua(o.caFile)};` : ""} }`;
    const root = typeof process.getuid === "function" && process.getuid() === 0;
    const extra = Object.entries(o.extraGlobal ?? {}).map(([k, v]) => `${k} = ${v}`).join("\n");
    const cfg = `-- written by edgesim (partners/xmpp/prosody.ts), profile ${profile}
${root ? "run_as_root = true" : ""}
daemonize = false
pidfile = ${lua(join(this.dir, "prosody.pid"))}
data_path = ${lua(data)}
log = { { levels = { min = ${lua(process.env.EDGESIM_PROSODY_DEBUG ? "debug" : "info")} }, to = "file", filename = ${lua(this.logFile)} } }
certificates = ${lua(join(this.dir, "certs"))}
interfaces = { ${lua(assertLoopback(o.address, "run Prosody on"))} }
local_interfaces = { ${lua(o.address)} }
c2s_ports = { ${o.c2sPort} }
s2s_ports = { ${o.s2sPort} }
c2s_direct_tls_ports = { }
s2s_direct_tls_ports = { }
modules_enabled = { "roster"; "saslauth"; "dialback"; "disco"; "ping";${tls ? ' "tls";' : ""} }
modules_disabled = { "admin_shell"; "posix" }
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = ${tls}
allow_unencrypted_plain_auth = ${!tls}
s2s_require_encryption = ${tls}
s2s_secure_auth = ${profile === "tls-secure"}
s2s_timeout = 8
ssl = ${ssl}
unbound = { forward = ${lua(`${assertLoopback(o.dns.address, "send Prosody's DNS to")}@${o.dns.port}`)}; hoststxt = false; resolvconf = false; options = { ["local-zone:"] = "test. transparent" } }
network_settings = { nagle = false }
${extra}
VirtualHost ${lua(o.domain)}
  ssl = ${ssl}
`;
    const file = join(this.dir, "prosody.cfg.lua");
    writeFileSync(file, cfg);
    return file;
  }

  async start(): Promise<void> {
    const file = this.writeConfig();
    const child = spawn("prosody", ["--config", file, "-F"], { stdio: ["ignore", "pipe", "pipe"], cwd: this.dir });
    this.child = child;
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + (this.o.startTimeoutMs ?? 8000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`Prosody for ${this.o.domain} exited with ${child.exitCode}: ${output.slice(-800)} ${this.log().slice(-800)}`);
      if (await canConnect(this.o.address, this.o.s2sPort) && await canConnect(this.o.address, this.o.c2sPort)) {
        this.o.events({ kind: "note", ts: Date.now(), host: this.o.host, rules: [], detail: `Prosody for ${this.o.domain} up on ${this.o.address} (config ${file})` });
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(`Prosody for ${this.o.domain} did not listen on ${this.o.address}:${this.o.s2sPort} within the timeout: ${output.slice(-800)}`);
  }

  async stop(keepDir = false): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const exited = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 4000);
        child.once("exit", () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      if (!exited) child.kill("SIGKILL");
    }
    if (!keepDir && !process.env.EDGESIM_KEEP_PEER_DIRS) rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
