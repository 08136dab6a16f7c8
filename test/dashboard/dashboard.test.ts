import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import { Dashboard } from "../../harness/dashboard/server.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";

let world: World;
let dashboard: Dashboard;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.dashboard), { services: ["dns"] });
  dashboard = new Dashboard({ address: world.plan.byHost("dashboard").address, port: 8080, bus: world.bus, snapshot: () => world.readyInfo });
  await dashboard.start();
});
afterAll(async () => {
  await dashboard?.stop();
  await world?.stop();
});

function get(path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(new URL(path, dashboard.url), (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }));
    }).on("error", reject);
  });
}

describe("the dashboard", () => {
  it("serves the page and the world's endpoints on its own loopback address", async () => {
    expect(dashboard.url).toBe(`http://127.${ZONE_BASE.dashboard}.0.80:8080/`);
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>edgesim dashboard</title>");
    const w = JSON.parse((await get("/api/world")).body);
    expect(w.endpoints.map((e: { role: string }) => e.role)).toContain("dns");
  });

  it("DNS-4: streams live events with their rule IDs (a DNS query from outside for an internal-only name)", async () => {
    const received = new Promise<{ kind: string; rules: string[]; name: string; rcode: string }>((resolve, reject) => {
      const req = http.get(new URL("/api/events", dashboard.url), (res) => {
        let buf = "";
        res.on("data", (d) => {
          buf += d;
          for (const chunk of buf.split("\n\n").slice(0, -1)) {
            const e = JSON.parse(chunk.replace(/^data: /, ""));
            if (e.kind === "dns.query" && e.name === "lyncdiscoverinternal.contoso.test") {
              req.destroy();
              resolve(e);
            }
          }
          buf = buf.slice(buf.lastIndexOf("\n\n") + 2);
        });
      });
      req.on("error", (err) => (err.message.includes("aborted") ? undefined : reject(err)));
    });
    await new Promise((r) => setTimeout(r, 100));
    const { queryDns } = await import("../../harness/dns/client.ts");
    const [address, port] = world.readyInfo.dns.external.split(":");
    await queryDns({ address: address!, port: Number(port) }, "lyncdiscoverinternal.contoso.test", "A");
    const e = await received;
    expect(e.rcode).toBe("NXDOMAIN");
    expect(e.rules).toContain("DNS-4");
  });

  it("is read-only and says so", async () => {
    const status = await new Promise<number>((resolve) => {
      const req = http.request(new URL("/api/world", dashboard.url), { method: "POST" }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(status).toBe(405);
  });
});
