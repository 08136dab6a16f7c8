/**
 * Stopping one role on one of OUR edge servers, for failover scenarios:
 * - the A/V Edge: its server falls silent and closes its relays (allocations are lost, as in
 *   the product); with a hardware load balancer the step waits (bounded) until the A/V VIP's
 *   health checks take the edge out of rotation, so the next step's new flows go to the survivor;
 * - the Access Edge: its listeners and connections close; with DNS load balancing (DNS-5) the
 *   detail says where the edge stands in the pool's A records: partners that do not fail over
 *   (OCS 2007 / 2007 R2, public IM, XMPP) stay with the edge that answered them first.
 * There is no "start" here: a stopped AvEdgeServer or AccessEdge cannot be started again.
 */
import type { EdgeEvent } from "../../../edge/events/types.ts";
import { accessEdgesOf } from "../../world/access-edge-service.ts";
import type { RunningHlb } from "../../world/hlb-service.ts";
import { PORTS } from "../../world/ports.ts";
import type { ActionResult, ScenarioContext } from "../types.ts";
import { runningAvEdge } from "./stun-state.ts";

/** Longest wait for the balancer's health checks (default: 3 failed probes, 2 s apart, each up to 2 s). */
const FAILOVER_WAIT_MS = 30_000;

async function outOfRotation(ctx: ScenarioContext, vipKey: string, edge: string): Promise<{ waitedMs: number; events: EdgeEvent[] } | "no balancer"> {
  const hlb = ctx.world.context.running.get("hlb") as RunningHlb | undefined;
  const pool = hlb?.vips.get(vipKey)?.pool ?? hlb?.kernel?.poolForVip(vipKey); // userland VIP, or the kernel balancer's map
  if (!pool) return "no balancer";
  const first = ctx.events.length;
  const started = Date.now();
  while (pool.isUp(edge)) {
    if (Date.now() - started > FAILOVER_WAIT_MS) throw new RangeError(`the balancer still had ${edge} in rotation on ${vipKey} ${FAILOVER_WAIT_MS / 1000} s after it stopped`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await hlb?.kernel?.settled(); // the dead edge has left the nftables map
  return { waitedMs: Date.now() - started, events: ctx.events.slice(first).filter((e) => e.kind === "lb.failover" || e.kind === "lb.health") };
}

function unknownEdge(ctx: ScenarioContext, edge: string, role: string): never {
  throw new RangeError(`${edge} is not a server of our edge pool running the ${role} (servers: ${ctx.world.topology.organisation.edgePool.servers.join(", ")})`);
}

export async function stopAvEdge(ctx: ScenarioContext, edge: string): Promise<ActionResult> {
  const inst = runningAvEdge(ctx).edges.get(edge) ?? unknownEdge(ctx, edge, "A/V Edge");
  const held = inst.server.allocations().length;
  await inst.server.stop();
  const lb = await outOfRotation(ctx, "vip-av", edge);
  const lines = [`${edge}'s A/V Edge stopped: it answers nothing and closed ${held} allocation(s) with their relays on ${inst.external}`];
  if (lb === "no balancer") lines.push("no A/V VIP in this world: clients that resolved this edge's address get no answer");
  else {
    lines.push(`the balancer took ${edge} out of the A/V VIP's rotation after ${(lb.waitedMs / 1000).toFixed(1)} s of failed health checks`);
    for (const e of lb.events) if ("detail" in e) lines.push(`${e.host}: ${e.detail}`);
  }
  return {
    kind: "edge.role.stop",
    summary: `${edge}'s A/V Edge stopped${lb === "no balancer" ? "" : `, out of rotation after ${(lb.waitedMs / 1000).toFixed(1)} s`}`,
    data: { rules: lb === "no balancer" ? [] : [...new Set(lb.events.flatMap((e) => e.rules))], detail: lines.join("\n      "), closedAllocations: held },
  };
}

export async function stopAccessEdge(ctx: ScenarioContext, edge: string): Promise<ActionResult> {
  const access = accessEdgesOf(ctx.world).get(edge) ?? unknownEdge(ctx, edge, "Access Edge");
  await access.stop();
  const pool = ctx.world.topology.organisation.edgePool;
  const own = ctx.world.plan.byHost(edge, "external-access").address;
  const lines = [`${edge}'s Access Edge stopped: its listeners on ${own} are closed`];
  const rules: string[] = [];
  if (pool.loadBalancing === "dns") {
    const listed = await ctx.world.context.resolvers.external.resolveA(pool.accessFqdn);
    const at = listed.indexOf(own);
    rules.push("DNS-5");
    lines.push(`${pool.accessFqdn} lists ${listed.join(", ")} (DNS load balancing): ${edge} is ${at === 0 ? "listed first" : at > 0 ? `listed ${at + 1}th` : "not listed"}; Lync 2010/2013 partners try the next address; OCS 2007 / 2007 R2 partners, public IM and XMPP that established with ${edge} do not fail over (DNS-5)`);
  } else {
    const lb = await outOfRotation(ctx, `vip-access:${PORTS.sipMtls}`, edge);
    if (lb !== "no balancer") {
      lines.push(`the balancer took ${edge} out of the Access VIP's rotation after ${(lb.waitedMs / 1000).toFixed(1)} s: every partner fails over through the VIP (DNS-5)`);
      rules.push(...new Set(lb.events.flatMap((e) => e.rules)));
    }
  }
  return { kind: "edge.role.stop", summary: `${edge}'s Access Edge stopped`, data: { rules, detail: lines.join("\n      ") } };
}
