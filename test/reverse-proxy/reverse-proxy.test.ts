import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FirewallDropError } from "../../edge/net/gate.ts";
import { httpRequest, type HttpClientHost } from "../../harness/clients/http-client.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { WEB_SERVICES } from "../mobility/mobile-kit.ts";

const B = ZONE_BASE.reverseProxy;
let world: World;
let outside: HttpClientHost;
let inside: HttpClientHost;
let https: number;
let http: number;

beforeAll(async () => {
  world = await startTestWorld(topologyAt(B), { services: WEB_SERVICES });
  const ctx = world.context;
  const host = (name: string, view: "internal" | "external"): HttpClientHost => ({ host: name, localAddress: world.plan.byHost(name).address, resolver: ctx.resolvers[view], gate: worldFirewall(ctx).gate, events: ctx.events, caPem: world.pki.identity("frontend").caPem });
  outside = host("client-alice", "external");
  inside = host("client-carol", "internal");
  https = ctx.mapPort(443);
  http = ctx.mapPort(80);
}, 30_000);
afterAll(async () => world?.stop());
afterEach(() => worldFirewall(world.context).reset());

describe("the reverse proxy's publishing rules", () => {
  const cases: { name: string; url: () => string; headers?: Record<string, string>; status: number; server?: string; access?: string; location?: RegExp; rule?: RegExp }[] = [
    { name: "RP-1: https://<external web FQDN>/* goes to the pool's external web services (4443)", url: () => `https://lyncweb.contoso.test:${https}/abs/handler/x`, status: 200, server: "fe01", access: "External", rule: /external web services of pool01/ },
    { name: "RP-1: the external autodiscover name is published to the pool", url: () => `https://lyncdiscover.contoso.test:${https}/Autodiscover/AutodiscoverService.svc/root`, status: 200, access: "External", rule: /external autodiscover/ },
    { name: "RP-1: the meet simple URL goes to the designated pool, which redirects to the home pool", url: () => `https://meet.contoso.test:${https}/alice/ABC123`, status: 302, location: /^https:\/\/lyncweb\.contoso\.test(:\d+)?\/meet\/alice\/ABC123$/ },
    { name: "RP-1: the dialin simple URL likewise", url: () => `https://dialin.contoso.test:${https}/`, status: 302, location: /\/dialin\/$/ },
    { name: "PORT-4: HTTP 80 for a published site is redirected to HTTPS", url: () => `http://lyncweb.contoso.test:${http}/abs/handler/x`, status: 301, location: /^https:\/\/lyncweb\.contoso\.test(:\d+)?\/abs\/handler\/x$/ },
    { name: "PORT-4: HTTP 80 for autodiscover goes to the pool's 8080 (external)", url: () => `http://lyncdiscover.contoso.test:${http}/Autodiscover/AutodiscoverService.svc/root`, status: 200, access: "External" },
    { name: "RP-1: a host with no publishing rule is refused", url: () => `http://${world.plan.byHost("reverse-proxy", "external").address}:${http}/`, headers: { host: "www.elsewhere.test" }, status: 404 },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const r = await httpRequest(outside, c.url(), c.headers ? { headers: c.headers } : {});
      expect(r.status, r.body).toBe(c.status);
      if (c.server) expect(r.headers["x-edgesim-server"]).toBe(c.server);
      if (c.access) expect(r.headers["x-edgesim-access"]).toBe(c.access);
      if (c.location) expect(r.headers.location).toMatch(c.location);
      if (c.rule) expect(r.headers["x-edgesim-rule"]).toMatch(c.rule);
    });

  it("PORT-4: the pool tells internal from external by port: direct on 443 is Internal, through the reverse proxy External", async () => {
    const direct = await httpRequest(inside, `https://lyncwebint.contoso.test:${https}/abs/handler/x`);
    const proxied = await httpRequest(outside, `https://lyncweb.contoso.test:${https}/abs/handler/x`);
    expect([direct.headers["x-edgesim-access"], proxied.headers["x-edgesim-access"]]).toEqual(["Internal", "External"]);
    expect(JSON.parse(proxied.body).addressBook.length).toBe(world.topology.organisation.users.length);
  });
});

type Probe = "outside HTTPS autodiscover" | "outside HTTP autodiscover" | "inside mobility (UCWA, hairpin)" | "inside autodiscover";

/** One request per feature; on failure, the firewall rule it names (client-side drop or the proxy's 502). */
async function probe(p: Probe): Promise<{ ok: boolean; rule?: string }> {
  const root = "/Autodiscover/AutodiscoverService.svc/root";
  const [client, url, method] =
    p === "outside HTTPS autodiscover" ? [outside, `https://lyncdiscover.contoso.test:${https}${root}`, "GET"]
    : p === "outside HTTP autodiscover" ? [outside, `http://lyncdiscover.contoso.test:${http}${root}`, "GET"]
    : p === "inside mobility (UCWA, hairpin)" ? [inside, `https://lyncweb.contoso.test:${https}/ucwa/v1/applications`, "POST"]
    : [inside, `https://lyncdiscoverinternal.contoso.test:${https}${root}`, "GET"];
  try {
    const r = await httpRequest(client, url, { method, headers: { "x-edgesim-user": "carol@contoso.test" } });
    return r.status < 300 ? { ok: true } : { ok: false, rule: String(r.headers["x-edgesim-drop"] ?? `status ${r.status}`) };
  } catch (err) {
    if (err instanceof FirewallDropError) return { ok: false, rule: err.decision.ruleId ?? "unknown" };
    throw err;
  }
}

const PROBES: Probe[] = ["outside HTTPS autodiscover", "outside HTTP autodiscover", "inside mobility (UCWA, hairpin)", "inside autodiscover"];

describe("removing one firewall rule breaks exactly the feature that needs it (PORT-5)", () => {
  it("PORT-5: with every rule in force, every probe works", async () => {
    for (const p of PROBES) expect(await probe(p), p).toEqual({ ok: true });
  });

  const cases: { rule: string; breaks: Probe[] }[] = [
    { rule: "004-ext-https-443", breaks: ["outside HTTPS autodiscover"] },
    { rule: "004-ext-http-80", breaks: ["outside HTTP autodiscover"] },
    { rule: "004-int-https-4443", breaks: ["outside HTTPS autodiscover", "inside mobility (UCWA, hairpin)"] },
    { rule: "004-int-http-8080", breaks: ["outside HTTP autodiscover"] },
    { rule: "000-mob-hairpin-443", breaks: ["inside mobility (UCWA, hairpin)"] },
  ];
  for (const c of cases)
    it(`PORT-5: without ${c.rule}, only ${c.breaks.join(" and ")} break, and the drop names ${c.rule}`, async () => {
      worldFirewall(world.context).removeRule(c.rule);
      const rec = world.bus.record(["firewall.drop"]);
      for (const p of PROBES) {
        const r = await probe(p);
        if (c.breaks.includes(p)) expect(r, p).toEqual({ ok: false, rule: c.rule });
        else expect(r, p).toEqual({ ok: true });
      }
      rec.stop();
      expect(rec.events.length).toBe(c.breaks.length);
      for (const e of rec.events) {
        expect(e.rules).toContain("PORT-5");
        expect(e.kind === "firewall.drop" && e.detail).toContain(`missing rule ${c.rule}`);
      }
    });
});
