/**
 * STUN/TURN sentences for the load balancer's A/V rules (HLB-2, HLB-3, HLB-6) and its
 * failover, with real datagrams from a planned client address:
 *   a STUN client at alice's address asks av.contoso.test for its address
 *   an unconnected STUN client at alice's address asks av.contoso.test for its address
 *   alice allocates a TURN relay at av.contoso.test
 *   alice refreshes her TURN relay on edge1
 *   stop edge1's A/V Edge            (and wait until the balancer takes it out of rotation)
 *   stop edge1's Access Edge         (DNS-5 with a DNS-load-balanced pool)
 * Results use the conventional fields (delivered, status, rules, via, detail) plus what the
 * STUN expectations read (stun-expectations.ts): the targeted address, who answered, the
 * XOR-MAPPED-ADDRESS and the relay.
 */
import type { EdgeEvent, LbEvent } from "../../../edge/events/types.ts";
import { requestAvCredentials } from "../../../edge/roles/av-edge/index.ts";
import { getErrorCode } from "../../../edge/wire/stun/index.ts";
import { PORTS } from "../../world/ports.ts";
import { worldFirewall } from "../../net/world-firewall.ts";
import type { ActionKind, ActionResult, ScenarioContext } from "../types.ts";
import { addrText, answerText, StunProbe, type Addr } from "./stun-client.ts";
import { avEdgeAt, clientOf, describeAddress, plannedAt, stillHeld, stunState } from "./stun-state.ts";
import { stopAccessEdge, stopAvEdge } from "./edge-stop.ts";

const same = (a: Addr | undefined, b: Addr | undefined) => !!a && !!b && a.address === b.address && a.port === b.port;

/**
 * The STUN server a sentence names: an FQDN of the external view (av.contoso.test, edge1-av.contoso.test) or an
 * address; port 3478. Resolved as the client does: in its zone's view (inside, the internal view, which falls
 * through to the external names), from its own address, so the firewalls see its query (PORT-5).
 */
async function stunTarget(ctx: ScenarioContext, name: string, client: { address: string }): Promise<Addr> {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return { address: name, port: PORTS.stun };
  const view = plannedAt(ctx, client.address)?.zone === "internal" ? "internal" : "external";
  const [address] = await ctx.world.context.resolverFor(view, client.address).resolveA(name);
  if (!address) throw new RangeError(`${name} has no A record in the ${view} view`);
  return { address, port: PORTS.stun };
}

/** Balancer events of this action, and the edges the balancer handed the client to. */
function balancerSaw(events: EdgeEvent[]): { lb: LbEvent[]; backends: string[] } {
  const lb = events.filter((e): e is LbEvent => e.kind === "lb.forward" || e.kind === "lb.failover");
  return { lb, backends: [...new Set(lb.filter((e) => e.kind === "lb.forward" && e.backend).map((e) => e.backend!))] };
}

function traceRules(events: EdgeEvent[]): string[] {
  return events.flatMap((e) => e.rules);
}

/** What the XOR-MAPPED-ADDRESS says about the client (RFC 5389 15.2; HLB-2 vs HLB-6). */
function mappedFinding(ctx: ScenarioContext, mapped: Addr | undefined, local: Addr): { kind: "client" | "vip" | "other" | "none"; text: string; rules: string[] } {
  if (!mapped) return { kind: "none", text: "the answer carried no XOR-MAPPED-ADDRESS", rules: [] };
  if (same(mapped, local)) return { kind: "client", text: `XOR-MAPPED-ADDRESS ${addrText(mapped)} is the client's own address: the edge saw the real client (HLB-2)`, rules: ["HLB-2"] };
  if (plannedAt(ctx, mapped.address)?.vip)
    return { kind: "vip", text: `XOR-MAPPED-ADDRESS ${addrText(mapped)} names the load balancer (${describeAddress(ctx, mapped)}), not the client ${addrText(local)}: SNAT rewrote the source, so the server-reflexive candidate is wrong (HLB-6)`, rules: ["HLB-6"] };
  return { kind: "other", text: `XOR-MAPPED-ADDRESS ${addrText(mapped)} is not the client's address ${addrText(local)} (HLB-6)`, rules: ["HLB-6"] };
}

const bindingAction: ActionKind = {
  name: "stun.binding",
  example: "a STUN client at alice's address asks av.contoso.test for its address",
  pattern: /^(?:a|an (unconnected)) STUN client at (\S+?)'s address asks (\S+) for its address$/i,
  async run(ctx, m): Promise<ActionResult> {
    const connected = !m[1];
    const client = clientOf(ctx, m[2]!);
    const target = await stunTarget(ctx, m[3]!, client);
    const first = ctx.events.length;
    const probe = await StunProbe.open(client.address, target, connected);
    stunState(ctx.world).probes.push(probe);
    const got = await probe.binding();
    probe.close();
    const events = ctx.events.slice(first);
    const { lb, backends } = balancerSaw(events);
    const socketKind = connected ? "a connected socket: its kernel drops answers from any other address" : "an unconnected socket: it reads answers from anywhere";
    const lines = [`Binding request from ${addrText(probe.local)} to ${describeAddress(ctx, target)} over ${socketKind}`];
    const rules = new Set(traceRules(events));
    let mappedKind = "none";
    if (got) {
      const fromTargeted = same(got.answer.from, target);
      lines.push(`answered from ${describeAddress(ctx, got.answer.from)}${fromTargeted ? ", the address the client targeted (HLB-2)" : `, NOT the address the client targeted (${addrText(target)}): a connected client drops such an answer (HLB-6)`}`);
      if (!fromTargeted) rules.add("HLB-6");
      else rules.add("HLB-2");
      const f = mappedFinding(ctx, got.mapped, probe.local);
      mappedKind = f.kind;
      lines.push(f.text);
      for (const r of f.rules) if (fromTargeted || r !== "HLB-2") rules.add(r);
      if (f.kind !== "client") rules.delete("HLB-2");
    } else {
      lines.push(`no answer after ${probe.codes.length ? "errors" : "3 tries"}${connected ? " (the socket is connected: an answer from another address never reaches it)" : ""}`);
      for (const e of lb.filter((x) => x.rules.includes("HLB-6"))) lines.push(`the balancer: ${e.detail}`);
    }
    if (backends.length) lines.push(`the balancer handed it to ${backends.join(", ")}`);
    const handledBy = backends.length ? backends : [avEdgeAt(ctx, target.address)].filter((x): x is string => !!x);
    return {
      kind: "stun.binding",
      summary: got ? `${addrText(probe.local)} -> ${addrText(target)}: answered from ${addrText(got.answer.from)}, mapped ${got.mapped ? addrText(got.mapped) : "none"}` : `${addrText(probe.local)} -> ${addrText(target)}: no answer`,
      data: {
        delivered: got !== undefined, ...(got && getErrorCode(got.answer.msg) ? { status: getErrorCode(got.answer.msg)!.code } : {}),
        rules: [...rules], via: [...handledBy, ...(got ? [addrText(got.answer.from)] : [])].join(" "), detail: lines.join("\n      "),
        client: probe.local, target, answeredFrom: got?.answer.from, mapped: got?.mapped, mappedKind,
      },
    };
  },
};

const allocateAction: ActionKind = {
  name: "turn.allocate",
  example: "alice allocates a TURN relay at av.contoso.test",
  pattern: /^(\S+?) allocates a TURN relay at (\S+)$/i,
  async run(ctx, m): Promise<ActionResult> {
    const client = clientOf(ctx, m[1]!);
    const target = await stunTarget(ctx, m[2]!, client);
    const pool = ctx.world.topology.organisation.edgePool;
    const [internal] = await ctx.world.context.resolverFor("internal", ctx.world.plan.byHost(ctx.world.topology.organisation.frontEndPool.servers[0]!).address).resolveA(pool.internalFqdn);
    if (!internal) throw new RangeError(`${pool.internalFqdn} does not resolve in the internal view: the front end cannot ask the A/V authentication service`);
    // The front end asks the A/V authentication service (MRAS, PORT-3, CERT-3) for the user's TURN credentials, as for a
    // real client, from its own address through the internal VIP (the nodes under DNS LB): the internal firewall passes it
    // by 002-int-vip-avauth-5062 (PORT-5).
    const fe = ctx.world.topology.organisation.frontEndPool.servers[0]!;
    const frontEnd = ctx.world.plan.byHost(fe).address;
    const request = {
      address: internal, port: PORTS.sipAvAuth, servername: pool.internalFqdn, identity: ctx.world.pki.identity("frontend"), user: `sip:${client.uri}`,
      localAddress: frontEnd, host: fe, gate: worldFirewall(ctx.world.context).gate, events: ctx.world.context.events,
    };
    const creds = await requestAvCredentials(request);
    const state = stunState(ctx.world);
    const earlier = state.relays.filter((r) => r.user === client.uri);
    const first = ctx.events.length;
    const probe = await StunProbe.open(client.address, target);
    state.probes.push(probe);
    const a = await probe.allocate(creds.username, creds.password);
    const events = ctx.events.slice(first);
    const { backends } = balancerSaw(events);
    const rules = new Set(traceRules(events));
    const lines = [`Allocate from ${addrText(probe.local)} to ${describeAddress(ctx, target)} with MRAS credentials for ${client.uri}; answered ${[...probe.codes.slice(0, a.last && getErrorCode(a.last.msg) ? -1 : undefined), answerText(a.last)].join(", ")}`];
    const edge = a.relayed ? avEdgeAt(ctx, a.relayed.address) : undefined;
    let mappedKind = "none";
    if (a.relayed) {
      state.relays.push({ user: client.uri, probe, relayed: a.relayed, edge: edge ?? "?", target });
      if (edge) {
        rules.add("HLB-3");
        lines.push(`relayed address ${addrText(a.relayed)} is ${edge}'s own physical A/V IP, not the VIP: media goes straight to ${edge} (HLB-3)`);
        // HLB-3: the edge that holds the allocation answers STUN/TURN on its own address, same port; later requests go there.
        const own = { address: a.relayed.address, port: target.port };
        if (!same(own, target)) {
          probe.follow(own);
          lines.push(`later requests from ${addrText(probe.local)} go to ${describeAddress(ctx, own)}, not through the VIP (HLB-3)`);
        }
      } else lines.push(`relayed address ${addrText(a.relayed)} is not an edge's own A/V address: ${describeAddress(ctx, a.relayed)}`);
      const f = mappedFinding(ctx, a.mapped, probe.local);
      mappedKind = f.kind;
      lines.push(f.text);
      for (const r of f.rules) rules.add(r);
    } else if (backends.length > 1) {
      rules.add("HLB-6");
      lines.push(`the balancer sent this one client's requests to ${backends.join(" and ")} (no affinity, HLB-6): each edge has its own NONCEs and allocations, so the signed Allocate never completes`);
    } else if (!a.last) lines.push("the server fell silent");
    if (backends.length) lines.push(`the balancer handed it to ${backends.join(", ")}`);
    for (const r of earlier) lines.push(stillHeld(ctx, r) ? `${client.uri}'s earlier relay ${addrText(r.relayed)} is still held by ${r.edge}` : `${client.uri}'s earlier relay ${addrText(r.relayed)} on ${r.edge} is lost: ${r.edge} no longer holds it (allocations do not survive a failover, as in the product)`);
    const status = a.last ? getErrorCode(a.last.msg)?.code : undefined;
    return {
      kind: "turn.allocate",
      summary: a.relayed ? `${client.uri}: relay ${addrText(a.relayed)} on ${edge ?? "?"}` : `${client.uri}: no relay (${answerText(a.last)})`,
      data: {
        delivered: a.relayed !== undefined, ...(status ? { status } : {}), rules: [...rules],
        via: (edge ? [edge, `physical A/V IP ${a.relayed!.address}`] : backends).join(" "), detail: lines.join("\n      "),
        client: probe.local, target, relayed: a.relayed, relayEdge: edge, mapped: a.mapped, mappedKind, codes: [...probe.codes],
        ...(a.last ? { answeredFrom: a.last.from } : {}),
      },
    };
  },
};

const refreshAction: ActionKind = {
  name: "turn.refresh",
  example: "alice refreshes her TURN relay on edge1",
  pattern: /^(\S+?) refreshes (?:her|his|their) TURN relay on (\S+)$/i,
  async run(ctx, m): Promise<ActionResult> {
    const client = clientOf(ctx, m[1]!);
    const edge = m[2]!.toLowerCase();
    const held = stunState(ctx.world).relays.filter((r) => r.user === client.uri && r.edge === edge).at(-1);
    if (!held) throw new RangeError(`${client.uri} allocated no relay on ${edge} earlier in this scenario`);
    const first = ctx.events.length;
    const steps = [`sent to ${describeAddress(ctx, held.probe.server)}`];
    let answer = await held.probe.refresh();
    // The edge holding the relay fell silent at its own address: the client fails over through the VIP it started from (item 10).
    if (!answer && !same(held.probe.server, held.target)) {
      steps.push(`no answer from there: the client goes back through ${describeAddress(ctx, held.target)}`);
      held.probe.follow(held.target);
      answer = await held.probe.refresh();
    }
    const events = ctx.events.slice(first);
    const { backends } = balancerSaw(events);
    const status = answer ? getErrorCode(answer.msg)?.code : undefined;
    const ok = answer !== undefined && status === undefined;
    if (backends.length) steps.push(`the balancer handed it to ${backends.join(", ")}`);
    const where = steps.join("; ");
    const why = ok
      ? `${edge} still holds ${addrText(held.relayed)}`
      : status === 437
        ? `437 Allocation Mismatch: the edge that answered has no allocation for this 5-tuple; ${addrText(held.relayed)} lived on ${edge}${stillHeld(ctx, held) ? "" : ", which no longer holds it: it is lost (failover moves new flows only, as in the product)"}`
        : `${answerText(answer)}${stillHeld(ctx, held) ? "" : `; ${edge} no longer holds ${addrText(held.relayed)}: it is lost`}`;
    return {
      kind: "turn.refresh",
      summary: `${client.uri} refreshes ${addrText(held.relayed)} on ${edge}: ${answerText(answer)}`,
      data: { delivered: ok, ...(status ? { status } : {}), rules: traceRules(events), via: backends.join(" "), detail: `${where}; ${why}`, relayed: held.relayed, relayEdge: edge, ...(answer ? { answeredFrom: answer.from } : {}) },
    };
  },
};

const stopAction: ActionKind = {
  name: "edge.role.stop",
  example: "stop edge1's A/V Edge",
  pattern: /^stop (\S+?)'s (A\/V|Access) Edge$/i,
  async run(ctx, m) {
    return m[2]!.toLowerCase() === "a/v" ? stopAvEdge(ctx, m[1]!.toLowerCase()) : stopAccessEdge(ctx, m[1]!.toLowerCase());
  },
};

export const STUN_ACTIONS: ActionKind[] = [bindingAction, allocateAction, refreshAction, stopAction];
