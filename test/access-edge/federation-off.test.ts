/** FED-1: with AllowFederatedUsers false every federated request, in or out, is refused 403 52010 by the live edge. */
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
  world = await startTestWorld(topologyAt(ZONE_BASE.accessEdgeFederationOff, "contoso", (t) => {
    dnsLoadBalanced(t);
    t.federation.AllowFederatedUsers = false;
  }), { services: SIP_SERVICES });
  trace = captureEvents(world);
});
afterAll(async () => {
  trace?.stop();
  await world?.stop();
});

describe("FED-1: federation is off unless AllowFederatedUsers", () => {
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
