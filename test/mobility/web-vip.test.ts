/**
 * MOB-5: the web services VIPs on the front-end HLB use source (cookie or source
 * address) affinity. Two front ends behind the balancer's VIPs (harness/world/web-vips.ts),
 * real HTTPS requests, each on a new connection: with affinity the same client lands on
 * the same server; without it a UCWA session's next request reaches a server that does
 * not hold it. One world per setting of organisation.frontEndPool.webAffinity, in turn,
 * on the same zones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEvent } from "../../edge/events/types.ts";
import type { HttpVip } from "../../edge/lb/http-vip.ts";
import { httpRequest, type HttpClientHost } from "../../harness/clients/http-client.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import { webOf } from "../../harness/world/web-service.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { WEB_SERVICES, mobileClient } from "./mobile-kit.ts";

const B = ZONE_BASE.mobilityAffinity;
const COOKIE = "EdgesimLbPersist";

/** A world with two front ends and the given web VIP affinity; events captured. */
function webWorld(affinity: Topology["organisation"]["frontEndPool"]["webAffinity"]) {
  const state: { world?: World; events: EdgeEvent[] } = { events: [] };
  beforeAll(async () => {
    state.world = await startTestWorld(topologyAt(B, "contoso", (t) => {
      t.organisation.frontEndPool.servers = ["fe01", "fe02"];
      t.organisation.frontEndPool.webAffinity = affinity;
    }), { services: WEB_SERVICES });
    state.world.bus.subscribe((e) => void state.events.push(e));
  }, 30_000);
  afterAll(async () => state.world?.stop());
  return state;
}

/** An internal user's machine asking the internal DNS view from its own address. */
function insideHost(world: World, user: string): HttpClientHost {
  const ctx = world.context;
  const address = world.plan.byHost(`client-${user}`).address;
  return { host: `client-${user}`, localAddress: address, resolver: ctx.resolverFor("internal", address), gate: worldFirewall(ctx).gate, events: ctx.events, caPem: world.pki.identity("frontend").caPem };
}

/** Which front end answered each of `n` requests (a new connection each) to the internal web FQDN. */
async function serversSeen(world: World, user: string, n: number, cookie?: string): Promise<string[]> {
  const url = `https://lyncwebint.contoso.test:${world.context.mapPort(443)}/abs/handler/x`;
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await httpRequest(insideHost(world, user), url, cookie ? { headers: { cookie } } : {});
    expect(r.status, r.body).toBe(200);
    seen.push(String(r.headers["x-edgesim-server"]));
  }
  return seen;
}

describe("MOB-5: source-address affinity (the default)", () => {
  const s = webWorld("source");

  it("MOB-5: the internal web FQDN is the front-end HLB's VIP, not a front end", async () => {
    const w = s.world!;
    expect(await w.context.resolvers.internal.resolveA("lyncwebint.contoso.test")).toEqual([w.plan.byHost("vip-web-internal").address]);
    expect(await w.context.resolvers.internal.resolveA("lyncdiscoverinternal.contoso.test")).toEqual([w.plan.byHost("vip-web-internal").address]);
    expect(webOf(w).vips.affinity).toBe("source");
  });

  it("MOB-5: each client keeps its front end over new connections, and two clients are spread over both", async () => {
    const carol = await serversSeen(s.world!, "carol", 4);
    const dave = await serversSeen(s.world!, "dave", 4);
    expect(new Set(carol).size).toBe(1);
    expect(new Set(dave).size).toBe(1);
    expect(new Set([...carol, ...dave])).toEqual(new Set(["fe01", "fe02"]));
    const forwarded = s.events.filter((e) => e.kind === "lb.forward" && e.vip === "vip-web-internal");
    expect(forwarded.length).toBeGreaterThanOrEqual(8);
    expect(forwarded.every((e) => e.rules.includes("MOB-5"))).toBe(true);
  });

  it("MOB-5: a mobile client's UCWA session through the reverse proxy stays on one front end (the VIP sees the proxy's address)", async () => {
    const r = await mobileClient(s.world!, "alice@contoso.test", "outside").signIn();
    expect(r.ok, JSON.stringify(r.steps)).toBe(true);
    expect(r.ucwa?.reread).toBe(3);
    const viaExternalVip = s.events.filter((e) => e.kind === "lb.forward" && e.vip === "vip-web-external");
    expect(viaExternalVip.length).toBeGreaterThan(0);
    expect(new Set(viaExternalVip.map((e) => (e.kind === "lb.forward" ? e.backend : undefined))).size).toBe(1);
  });
});

describe("MOB-5: cookie affinity (layer 7: the balancer reads and sets its cookie)", () => {
  const s = webWorld("cookie");

  it("MOB-5: the first answer sets the persistence cookie; requests carrying it stay on that server, from the same address a new session may go elsewhere", async () => {
    const w = s.world!;
    const first = await httpRequest(insideHost(w, "carol"), `https://lyncwebint.contoso.test:${w.context.mapPort(443)}/abs/handler/x`);
    const setCookie = ([] as string[]).concat(first.headers["set-cookie"] ?? []).find((c) => c.startsWith(`${COOKIE}=`));
    const pinned = String(first.headers["x-edgesim-server"]);
    expect(setCookie).toBe(`${COOKIE}=${pinned}; Path=/; HttpOnly`);
    expect(await serversSeen(w, "carol", 4, `${COOKIE}=${pinned}`)).toEqual([pinned, pinned, pinned, pinned]);
    // Without the cookie the same client address is a new session: the rotation moves on.
    const fresh = await serversSeen(w, "carol", 2);
    expect(new Set([pinned, ...fresh])).toEqual(new Set(["fe01", "fe02"]));
  });

  it("MOB-5: a cookie naming no server of the pool is replaced", async () => {
    const w = s.world!;
    const r = await httpRequest(insideHost(w, "carol"), `https://lyncwebint.contoso.test:${w.context.mapPort(443)}/abs/handler/x`, { headers: { cookie: `${COOKIE}=fe09` } });
    expect(r.status).toBe(200);
    expect(([] as string[]).concat(r.headers["set-cookie"] ?? []).join(";")).toContain(`${COOKIE}=${String(r.headers["x-edgesim-server"])}`);
  });

  it("MOB-5: UCWA sessions through the reverse proxy keep their server by the cookie, inside and outside", async () => {
    for (const [user, where] of [["alice@contoso.test", "outside"], ["carol@contoso.test", "inside"]] as const) {
      const r = await mobileClient(s.world!, user, where).signIn();
      expect(r.ucwa?.reread, where).toBe(3);
      expect(r.ok, where).toBe(true);
    }
  });

  it("MOB-5: when the cookie's server fails its health checks, the session moves to a healthy server with a new cookie", async () => {
    const w = s.world!;
    const url = `https://lyncwebint.contoso.test:${w.context.mapPort(443)}/abs/handler/x`;
    const pinned = String((await httpRequest(insideHost(w, "dave"), url)).headers["x-edgesim-server"]);
    const web = webOf(w);
    await web.servers[w.topology.organisation.frontEndPool.servers.indexOf(pinned)]!.stop();
    const vip = web.vips.vips.get("vip-web-internal") as HttpVip;
    for (let i = 0; i < 3; i++) await vip.checkHealth(); // fall: 3 failed probes
    expect(vip.pool.isUp(pinned)).toBe(false);
    const r = await httpRequest(insideHost(w, "dave"), url, { headers: { cookie: `${COOKIE}=${pinned}` } });
    const moved = String(r.headers["x-edgesim-server"]);
    expect(r.status).toBe(200);
    expect(moved).not.toBe(pinned);
    expect(([] as string[]).concat(r.headers["set-cookie"] ?? []).join(";")).toContain(`${COOKIE}=${moved}`);
    expect(s.events.some((e) => e.kind === "lb.failover" && e.vip === "vip-web-internal" && e.backend === pinned)).toBe(true);
  });
});

describe("MOB-5: no affinity (the misconfiguration)", () => {
  const s = webWorld("none");

  it("MOB-5: round robin per connection: one client's requests alternate between the front ends", async () => {
    expect(new Set(await serversSeen(s.world!, "carol", 4))).toEqual(new Set(["fe01", "fe02"]));
  });

  it("MOB-5: a UCWA session's next request reaches the other front end, which does not know it", async () => {
    const r = await mobileClient(s.world!, "alice@contoso.test", "outside").signIn();
    expect(r.ok).toBe(false);
    const lost = r.steps.find((x) => x.what === "read UCWA application" && !x.ok)!;
    expect(lost.status).toBe(404);
    expect(lost.rules).toEqual(["MOB-5"]);
    expect(lost.error).toMatch(/needs cookie or source affinity/);
  });
});
