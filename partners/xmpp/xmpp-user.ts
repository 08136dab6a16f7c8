/**
 * A handle on one @xmpp/client user running in its own process (user-process.ts):
 * start it against a partner's c2s port with the sandbox CA trusted, send
 * messages and presence, wait (bounded) for stanzas. stop() always ends the process.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { assertLoopback } from "../../edge/net/loopback.ts";

export interface ReceivedStanza {
  name: string;
  attrs: Record<string, string>;
  body?: string;
  show?: string;
  status?: string;
  errorCondition?: string;
  errorText?: string;
  xml: string;
}

export interface XmppUserOptions {
  address: string;
  port: number;
  domain: string;
  username: string;
  password: string;
  resource?: string;
  /** The sandbox CA file (PEM) the client must trust. */
  caFile: string;
  countOnly?: boolean;
  countEvery?: number;
}

/**
 * The child's script: beside this file when running from the sources; from the
 * esbuild bundle in .edgesim/build/ (what `npm start` runs), found by walking up
 * to the project folder.
 */
function userProcessScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  if (existsSync(join(here, "user-process.ts"))) return join(here, "user-process.ts");
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, "partners", "xmpp", "user-process.ts");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find partners/xmpp/user-process.ts beside or above ${here}`);
}

const SCRIPT = userProcessScript();

export class XmppUser {
  readonly received: ReceivedStanza[] = [];
  jid = "";
  count = 0;
  private child: ChildProcess | undefined;
  private listeners: (() => void)[] = [];
  private errors: string[] = [];

  constructor(private readonly options: XmppUserOptions) {}

  /**
   * Starts the user process and waits until it is online. @xmpp/client gives up on a
   * slow step after 2 s, which a loaded 2-core machine can exceed: a start that fails
   * is retried (at most 3 attempts) within `timeoutMs`.
   */
  async start(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce(Math.max(1000, deadline - Date.now()));
      } catch (err) {
        if (attempt >= 3 || Date.now() >= deadline) throw err;
        this.errors = [];
      }
    }
  }

  private async startOnce(timeoutMs: number): Promise<void> {
    const o = this.options;
    assertLoopback(o.address, "connect the XMPP user to");
    const start = { service: `xmpp://${o.address}:${o.port}`, domain: o.domain, username: o.username, password: o.password, resource: o.resource ?? "edgesim", countOnly: o.countOnly, countEvery: o.countEvery };
    const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, JSON.stringify(start)], { env: { ...process.env, NODE_EXTRA_CA_CERTS: o.caFile }, stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    child.stderr?.on("data", (d: Buffer) => this.errors.push(d.toString().slice(0, 500)));
    createInterface({ input: child.stdout! }).on("line", (line) => this.onLine(line));
    child.on("exit", () => this.notify());
    const online = await this.waitUntil(() => this.jid !== "" || child.exitCode !== null, timeoutMs);
    if (!online || !this.jid) {
      if (child.exitCode === null) child.kill("SIGKILL");
      throw new Error(`XMPP user ${o.username}@${o.domain} did not come online at ${o.address}:${o.port}: ${this.errors.join(" | ") || "timeout"}`);
    }
  }

  message(to: string, body: string | undefined, extra: { type?: string; id?: string } = {}): void {
    this.command({ op: "message", to, body, ...extra });
  }

  presence(p: { to?: string; show?: string; type?: string; status?: string }): void {
    this.command({ op: "presence", ...p });
  }

  burst(to: string, count: number, window: number, prefix = "m"): void {
    this.command({ op: "burst", to, count, window, prefix });
  }

  credit(n: number): void {
    this.command({ op: "credit", n });
  }

  /** The first received stanza (from now or earlier) that matches, within `timeoutMs`. */
  async waitFor(match: (s: ReceivedStanza) => boolean, timeoutMs = 8000): Promise<ReceivedStanza | undefined> {
    let hit: ReceivedStanza | undefined;
    await this.waitUntil(() => (hit = this.received.find(match)) !== undefined, timeoutMs);
    return hit;
  }

  waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!cond()) return;
        cleanup();
        resolve(true);
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve(false);
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
      };
      this.listeners.push(check);
    });
  }

  /** Calls `fn` after every event from the user process (a stanza, a count); returns the unsubscribe. */
  watch(fn: () => void): () => void {
    this.listeners.push(fn);
    return () => (this.listeners = this.listeners.filter((l) => l !== fn));
  }

  get stderr(): string {
    return this.errors.join("");
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.command({ op: "stop" });
    const exited = await this.waitUntil(() => child.exitCode !== null, 3000);
    if (!exited) child.kill("SIGKILL");
  }

  private command(cmd: Record<string, unknown>): void {
    if (!this.child?.stdin?.writable) throw new Error(`XMPP user ${this.options.username}@${this.options.domain} is not running`);
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
  }

  private onLine(line: string): void {
    let ev: Record<string, any>;
    try {
      ev = JSON.parse(line) as Record<string, any>;
    } catch {
      this.errors.push(`unparsable line from the user process: ${line.slice(0, 200)}`);
      return;
    }
    if (ev.ev === "online") this.jid = String(ev.jid);
    else if (ev.ev === "stanza") this.received.push(ev as unknown as ReceivedStanza);
    else if (ev.ev === "count") this.count = Number(ev.n);
    else if (ev.ev === "error") this.errors.push(String(ev.message));
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
