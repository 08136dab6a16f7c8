/**
 * FED-1 and FED-8 on one world, switching the live edges' configuration at run time
 * (AccessEdge.setConfig, as Set-CsAccessEdgeConfiguration would): federation off
 * refuses everything federated; default routing sends every federated request to
 * DefaultRouteFqdn and accepts only that peer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import type { Topology } from "../../harness/topology/schema.ts";
import { federationConfigFromTopology } from "../../harness/topology/federation-config.ts";
import { accessEdgesOf } from "../../harness/world/access-edge-service.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { captureEvents, dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";

let world: World;
let trace: ReturnType<typeof captureEvents>;
let base: Topology;
beforeAll(async () => {
  base = topologyAt(ZONE_BASE.accessEdgeRoutingModes, "contoso", dnsLoadBalanced);
  world = await startTestWorld(base, { services: SIP_SERVICES });
  trace = captureEvents(world);
});
afterAll(async () => {
  trace?.stop();
  await world?.stop();
});

function configure(edit: (t: Topology) => void): void {
  const t = structuredClone(base);
  edit(t);
  for (const e of accessEdgesOf(world).values()) e.setConfig(federationConfigFromTopology(t));
}

describe("FED-1: federation is off unless AllowFederatedUsers", () => {
  beforeAll(() => configure((t) => { t.federation.AllowFederatedUsers = false; }));
  const cases = [
    { name: "outbound to an allowed domain", send: () => frontEndOf(world).user("carol@contoso.test").sendMessage("bob@fabrikam.test", "x") },
    { name: "outbound from a remote user", send: () => frontEndOf(world).user("alice@contoso.test").sendMessage("bob@fabrikam.test", "x") },
    { name: "inbound from an allowed domain", send: () => sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "x") },
    { name: "inbound from a provider's hosted domain", send: () => sipPartnerOf(world, "hosted.test").user("tom@tailspin.test").sendMessage("carol@contoso.test", "x") },
  ];
  for (const c of cases)
    it(`FED-1: ${c.name} is refused 403 52010`, async () => {
      const mark = trace.events.length;
      const r = await c.send();
      expect(r).toMatchObject({ status: 403, diagnostics: { code: 52010 } });
      expect(trace.events.slice(mark).some((e) => e.kind === "sip.refused" && e.rules.includes("FED-1"))).toBe(true);
    });

  it("FED-1: internal IM between our own users still works", async () => {
    expect((await frontEndOf(world).user("carol@contoso.test").sendMessage("dave@contoso.test", "inside")).status).toBe(200);
    expect(await frontEndOf(world).user("dave@contoso.test").inbox.next(2000)).toMatchObject({ from: "carol@contoso.test", text: "inside" });
  });
});

describe("FED-8: default routing", () => {
  beforeAll(() =>
    configure((t) => {
      const f = t.federation;
      f.RoutingMethod = "UseDefaultRouting";
      f.DefaultRouteFqdn = "sip.hosted.test";
      f.EnablePartnerDiscovery = false; // FED-8: discovery and providers exist only with DNS SRV routing
      f.hostingProviders = [];
      f.publicProviders = [];
    }),
  );
  it("FED-8: a message to a hosted user goes to the default route and is delivered", async () => {
    const mark = trace.events.length;
    expect((await frontEndOf(world).user("carol@contoso.test").sendMessage("tom@tailspin.test", "via default")).status).toBe(200);
    expect(await sipPartnerOf(world, "hosted.test").user("tom@tailspin.test").inbox.next(5000)).toMatchObject({ text: "via default" });
    const v = trace.events.slice(mark).find((e) => e.kind === "policy.verdict");
    expect(v?.rules).toContain("FED-8");
  });

  it("FED-8: a message to fabrikam also goes to the default route, never to fabrikam's SRV target", async () => {
    const mark = trace.events.length;
    const r = await frontEndOf(world).user("carol@contoso.test").sendMessage("bob@fabrikam.test", "x");
    expect(r.status).toBe(404); // the hosting edge does not serve bob
    const since = trace.events.slice(mark);
    expect(since.some((e) => e.kind === "dns.query" && e.name === "_sipfederationtls._tcp.fabrikam.test")).toBe(false);
    expect(since.some((e) => e.kind === "tls.handshake" && e.host.startsWith("edge") && e.peerNames.includes("sip1.fabrikam.test"))).toBe(false);
  });

  it("FED-8: an inbound peer that is not DefaultRouteFqdn is refused, the refusal naming FED-8", async () => {
    const mark = trace.events.length;
    const r = await sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "x");
    expect(r.status).toBe(403);
    expect(trace.events.slice(mark).some((e) => e.kind === "sip.refused" && e.rules.includes("FED-8"))).toBe(true);
  });
});
