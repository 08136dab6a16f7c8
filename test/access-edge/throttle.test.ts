/**
 * FED-11 on the live edge: discovered partners are held to a contact limit (watch
 * list, 403 52110) and a message rate (480 52111) with event 14603 in the trace;
 * allowed partners are not throttled. The edge keeps the state per edge server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { accessEdgesOf } from "../../harness/world/access-edge-service.ts";
import { federationConfigFromTopology } from "../../harness/topology/federation-config.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { captureEvents, SIP_SERVICES } from "./world-helpers.ts";

let world: World;
let trace: ReturnType<typeof captureEvents>;
beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeThrottle, "contoso", (t) => {
    // One edge in DNS, so every partner message meets the same throttle state.
    t.organisation.edgePool.loadBalancing = "dns";
    t.organisation.edgePool.servers = ["edge1"];
    t.federation.MaxContactsPerDiscoveredPartner = 2;
    t.organisation.users.push({ uri: "frank@contoso.test", policy: "Global", contacts: [], homedOnSba: false, remote: false });
    t.federation.DiscoveredPartnerStandardRate = 3;
  }), { services: SIP_SERVICES });
  trace = captureEvents(world);
});
afterAll(async () => {
  trace?.stop();
  await world?.stop();
});

describe("FED-11: discovered-partner throttling", () => {
  it("FED-11: a discovered partner sending a burst is held to DiscoveredPartnerStandardRate: 480 52111 and event 14603", async () => {
    const adatum = sipPartnerOf(world, "adatum.test").user("ada@adatum.test");
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => adatum.sendMessage("carol@contoso.test", `burst ${i}`)));
    const limited = results.filter((r) => r.status === 480);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.diagnostics?.code).toBe(52111);
    expect(trace.events.some((e) => e.kind === "sip.refused" && e.rules.includes("FED-11"))).toBe(true);
    expect(trace.events.some((e) => e.kind === "note" && e.rules.includes("FED-11") && e.detail.startsWith("event 14603 (adatum.test)"))).toBe(true);
    const partner = accessEdgesOf(world).get("edge1")!.throttleState.partners["adatum.test"];
    expect(partner?.contacted).toEqual(["sip:carol@contoso.test"]);
  });

  it("FED-11: a discovered partner touching more than MaxContactsPerDiscoveredPartner URIs goes on the watch list: 403 52110", async () => {
    const nancy = sipPartnerOf(world, "northwind.test").user("nancy@northwind.test");
    const statuses: number[] = [];
    for (const to of ["carol@contoso.test", "erin@contoso.test", "frank@contoso.test", "carol@contoso.test"]) {
      const r = await nancy.sendMessage(to, "hello");
      statuses.push(r.status);
      if (r.status === 403) expect(r.diagnostics?.code).toBe(52110);
    }
    // The third distinct URI trips the limit; every later request is blocked, even to a known contact.
    expect(statuses.slice(2)).toEqual([403, 403]);
    expect(accessEdgesOf(world).get("edge1")!.throttleState.partners["northwind.test"]?.watchListed).toBe(true);
  });

  it("FED-11: an allowed partner (fabrikam) is never throttled", async () => {
    const bob = sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test");
    const results = await Promise.all([1, 2, 3, 4].map((i) => bob.sendMessage(i % 2 ? "carol@contoso.test" : "frank@contoso.test", `allowed ${i}`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(accessEdgesOf(world).get("edge1")!.throttleState.partners["fabrikam.test"]).toBeUndefined();
  });

  it("FED-11: the edge's own 404s to a discovered partner enumerating unknown users count as failures: the partner is cut to 1 message per second", async () => {
    const edge = accessEdgesOf(world).get("edge1")!;
    const t = structuredClone(world.topology);
    t.federation.MaxContactsPerDiscoveredPartner = 1000;
    t.federation.DiscoveredPartnerStandardRate = 20;
    edge.setConfig(federationConfigFromTopology(t));
    try {
      const ada = sipPartnerOf(world, "adatum.test").user("ada@adatum.test");
      expect((await ada.sendMessage("carol@contoso.test", "a real one")).status).toBe(200);
      const mark = trace.events.length;
      const statuses: number[] = [];
      for (let i = 1; i <= 10; i++) statuses.push((await ada.sendMessage(`nobody${i}@contoso.test`, "anyone?")).status);
      expect(statuses).toEqual(Array(10).fill(404));
      expect(edge.throttleState.partners["adatum.test"]).toMatchObject({ failed: 10, succeeded: 1, slowed: false });
      // The next request finds the ratio suspicious (10 failed to 1 succeeded): 14603, then 1 per second.
      const burst = await Promise.all([1, 2, 3].map((i) => ada.sendMessage("carol@contoso.test", `after ${i}`)));
      expect(burst.filter((r) => r.status === 480).length).toBeGreaterThanOrEqual(2);
      expect(burst.find((r) => r.status === 480)?.diagnostics?.code).toBe(52111);
      expect(edge.throttleState.partners["adatum.test"]?.slowed).toBe(true);
      expect(trace.events.slice(mark).some((e) => e.kind === "note" && e.rules.includes("FED-11") && /event 14603 \(adatum\.test\): .*suspicious failure ratio \(10 failed, 1 succeeded\)/.test(e.detail))).toBe(true);
    } finally {
      edge.setConfig(federationConfigFromTopology(world.topology));
    }
  });
});
