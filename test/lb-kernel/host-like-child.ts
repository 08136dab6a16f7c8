/**
 * Run by world.test.ts in a network namespace that looks like a host's (loopback plus a
 * veth pair): starts the `hlb` service with `edgePool.balancer: kernel` and prints which
 * balancer it chose and why, as one JSON line. Not a test file itself.
 */
import type { RunningHlb } from "../../harness/world/hlb-service.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";

const world = await startTestWorld(
  topologyAt(ZONE_BASE.lbKernel, "contoso", (t) => {
    t.organisation.edgePool.balancer = "kernel";
  }),
  { services: ["dns", "av-edge", "hlb"] },
);
try {
  const hlb = world.service("hlb") as RunningHlb;
  process.stdout.write(`${JSON.stringify({ balancer: hlb.balancer, fallback: hlb.fallback })}\n`);
} finally {
  await world.stop();
}
