/**
 * World.stop closes every service, last started first, even when one of them throws
 * on stop: the failure is traced and reported after the others are stopped, so no
 * socket outlives the world (a later world on the same addresses would not bind).
 */
import { describe, expect, it } from "vitest";
import type { EdgeEvent } from "../../edge/events/types.ts";
import type { ServiceFactory } from "../../harness/world/service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { canBind } from "../kit/sockets.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";

/** Stands in for the front end: starts fine, throws when stopped. */
const failsToStop: ServiceFactory = {
  name: "frontend",
  describe: "a service whose stop throws",
  start: async () => ({ name: "frontend", endpoints: [], stop: async () => { throw new Error("socket refused to close"); } }),
};


describe("World.stop", () => {
  it("stops every service even when one throws, traces the failure, then reports it", async () => {
    const world = await startTestWorld(topologyAt(ZONE_BASE.world), { services: ["dns", "frontend"], replace: [failsToStop] });
    const events: EdgeEvent[] = [];
    world.bus.subscribe((e) => void events.push(e));
    const dns = world.readyInfo.endpoints.filter((e) => e.role.startsWith("dns") || e.port === Number(world.readyInfo.dns.external.split(":")[1]));
    expect(dns.length).toBeGreaterThan(0);
    for (const e of dns) expect(await canBind(e), `${e.transport} ${e.address}:${e.port} free while the world runs`).toBe(false);

    await expect(world.stop()).rejects.toThrow("service 'frontend' failed to stop: socket refused to close");
    // The DNS service was started before the failing one, so it is stopped after it: still stopped.
    for (const e of dns) expect(await canBind(e), `${e.transport} ${e.address}:${e.port} still bound after stop`).toBe(true);
    expect(events.some((e) => e.kind === "note" && e.detail === "service 'frontend' failed to stop: socket refused to close")).toBe(true);
    expect(events.at(-1)?.kind).toBe("world.stopped");
  });

  it("refuses a replacement for a service the registry does not know", async () => {
    await expect(startTestWorld(topologyAt(ZONE_BASE.world), { services: ["dns"], replace: [{ ...failsToStop, name: "no-such-service" }] })).rejects.toThrow(/unknown service\(s\) no-such-service/);
  });
});
