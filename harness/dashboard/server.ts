/**
 * The dashboard: one page on the world's own dashboard address (127.x, internal
 * zone) showing the address plan, the listening services and the live event
 * stream with rule IDs (server-sent events; no client library). Read-only: it
 * changes nothing in the world. At most 16 viewers; the last 500 events are kept
 * for a viewer that connects late.
 */
import http from "node:http";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { assertLoopback } from "../../edge/net/loopback.ts";
import type { EventBus } from "../events/bus.ts";
import { renderPage } from "./page.ts";

export interface DashboardOptions {
  address: string;
  port: number;
  bus: EventBus;
  /** What the page shows at the top: the ready info of the world. */
  snapshot: () => unknown;
}

const MAX_VIEWERS = 16;
const BACKLOG = 500;

export class Dashboard {
  private server?: http.Server;
  private readonly viewers = new Set<http.ServerResponse>();
  private readonly backlog: EdgeEvent[] = [];
  private unsubscribe?: () => void;

  constructor(private readonly opts: DashboardOptions) {}

  get url(): string {
    return `http://${this.opts.address}:${this.opts.port}/`;
  }

  async start(): Promise<void> {
    assertLoopback(this.opts.address, "serve the dashboard on");
    this.unsubscribe = this.opts.bus.subscribe((e) => this.publish(e));
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.opts.port, this.opts.address, () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    for (const v of this.viewers) v.end();
    this.viewers.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private publish(e: EdgeEvent): void {
    this.backlog.push(e);
    if (this.backlog.length > BACKLOG) this.backlog.shift();
    const line = `data: ${JSON.stringify(e)}\n\n`;
    for (const v of this.viewers) v.write(line);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end("the dashboard is read-only\n");
      return;
    }
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(renderPage());
    } else if (path === "/api/world") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.opts.snapshot()));
    } else if (path === "/api/events") {
      if (this.viewers.size >= MAX_VIEWERS) {
        res.writeHead(503, { "retry-after": "5" }).end(`at most ${MAX_VIEWERS} viewers\n`);
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      for (const e of this.backlog) res.write(`data: ${JSON.stringify(e)}\n\n`);
      this.viewers.add(res);
      req.on("close", () => this.viewers.delete(res));
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end(`no page ${path}: try / or /api/world or /api/events\n`);
    }
  }
}
