/** FED-8: with UseDefaultRouting every federated request goes to DefaultRouteFqdn, and only that peer may send to us. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { captureEvents, dnsLoadBalanced, SIP_SERVICES } from "./world-helpers.ts";

let world: World;
let trace: ReturnType<typeof captureEvents>;
beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeDefaultRoute, "contoso", (t) => {
    dnsLoadBalanced(t);
    const f = t.federation;
    f.RoutingMethod = "UseDefaultRouting";
    f.DefaultRouteFqdn = "sip.hosted.test";
    f.EnablePartnerDiscovery = false; // FED-8: discovery and providers exist only with DNS SRV routing
    f.hostingProviders = [];
    f.publicProviders = [];
  }), { services: SIP_SERVICES });
  trace = captureEvents(world);
});
afterAll(async () => {
  trace?.stop();
  await world?.stop();
});

describe("FED-8: default routing", () => {
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
