/**
 * A federated A/V call in a running world (issue 4, item 5): our remote user calls a
 * partner's user. Signalling: INVITE/200/ACK/BYE through both Access Edges (our VIP, the
 * front-end pool, the edge pool, the partner's edge). Media: both clients gather host,
 * server-reflexive and relayed candidates from their own A/V Edge (ours through the A/V
 * VIP, av.<domain>; the partner's on its edge address, partners/av), exchange them in SDP,
 * run connectivity checks, the caller (controlling) nominates the best pair that answered,
 * and counted RTP-like packets flow both ways over it. `findings.ts` reads the outcome
 * against HLB-2, HLB-3, HLB-6 and PORT-1.
 */
import { requestAvCredentials } from "../../../edge/roles/av-edge/index.ts";
import { PartnerAvEdge } from "../../../partners/av/index.ts";
import { sipPartnerOf } from "../../world/sip-partners-service.ts";
import { PORTS } from "../../world/ports.ts";
import { worldFirewall } from "../../net/world-firewall.ts";
import { EDGE_TO_EDGE_PRODUCTS } from "../../net/av-partners.ts";
import type { World } from "../../world/world.ts";
import { partnerServing, domainOf } from "../../explain/offline.ts";
import type { CheckResult } from "./checks.ts";
import { IceAgent, type MediaPath } from "./ice-agent.ts";
import { addrText, type Candidate } from "./ice-types.ts";
import { PartnerCallAnswerer } from "./partner-answerer.ts";
import { parseSdp } from "./sdp.ts";
import { CallUa, type InviteOutcome } from "./sip-ua.ts";

export interface SideReport {
  user: string;
  server: string;
  candidates: Candidate[];
  problems: string[];
  checks: CheckResult[];
  mediaSent: number;
  mediaReceived: number;
  missing: number[];
  mediaSources: string[];
}

export interface CallReport {
  from: string;
  to: string;
  invite: InviteOutcome;
  bye?: InviteOutcome;
  caller: SideReport;
  callee: SideReport;
  selected?: MediaPath & { local: Candidate; remote: Candidate };
  nominatedAtCallee?: MediaPath;
  /** The callee's side saw the caller's ACK for this call (RFC 3261 13.2.2.4). */
  acked: boolean;
  /** The callee's side answered the caller's BYE. */
  byeReceived: boolean;
  packets: number;
}

const SETTLE_MS = 4000;

async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return done();
}

function side(agent: IceAgent, checks: CheckResult[], sent: number, packets: number): SideReport {
  return {
    user: agent.o.user, server: addrText(agent.o.stunServer), candidates: agent.candidates, problems: agent.gathered?.problems ?? [], checks,
    mediaSent: sent, mediaReceived: agent.media.received, missing: agent.media.missing(packets), mediaSources: [...agent.media.sources],
  };
}

export async function placeCall(world: World, from: string, to: string, opts: { packets?: number } = {}): Promise<CallReport> {
  const packets = opts.packets ?? 50;
  const t = world.topology;
  const caller = t.organisation.users.find((u) => u.uri.toLowerCase() === from && u.remote);
  if (!caller) throw new RangeError(`${from} is not a remote user of ${t.organisation.name} (a call client runs for users with remote: true)`);
  const partnerSpec = partnerServing(t, domainOf(to));
  if (!partnerSpec || partnerSpec.product === "xmpp") throw new RangeError(`no SIP partner in the topology serves ${domainOf(to)}`);
  const partner = sipPartnerOf(world, partnerSpec.domain);
  const ctx = world.context;
  const pool = t.organisation.edgePool;

  const callerAddress = world.plan.byHost(`client-${from.split("@")[0]}`).address;
  const avVip = (await ctx.resolverFor("external", callerAddress).resolveA(pool.avFqdn))[0];
  if (!avVip) throw new RangeError(`${pool.avFqdn} does not resolve in the external view: the client cannot find its A/V Edge`);
  const [internalVip] = await ctx.resolverFor("internal", world.plan.byHost(t.organisation.frontEndPool.servers[0]!).address).resolveA(pool.internalFqdn);
  if (!internalVip) throw new RangeError(`${pool.internalFqdn} does not resolve in the internal view: the front end cannot ask for A/V credentials`);
  const fe = t.organisation.frontEndPool.servers[0]!;
  const gate = worldFirewall(ctx).gate;
  const creds = await requestAvCredentials({ address: internalVip, port: PORTS.sipAvAuth, servername: pool.internalFqdn, identity: world.pki.identity("frontend"), user: `sip:${from}`,
    // The front end asks, from its own address, through the gate: the internal firewall passes it by 002-int-vip-avauth-5062 (PORT-3, PORT-5).
    localAddress: world.plan.byHost(fe).address, host: fe, gate, events: ctx.events });
  const ourAv = world.plan.find((e) => e.role === "av").map((e) => e.address);

  const short = partnerSpec.domain.split(".")[0]!;
  const partnerEdge = world.plan.byHost(`${short}-${partnerSpec.edges[0]!.name}`);
  // PORT-1: a Lync 2010/2013 (or OCS 2007 R2) partner's edge sends its media to our edges' UDP 3478; an OCS 2007 one to our relay ports.
  const edgeToEdge = EDGE_TO_EDGE_PRODUCTS.includes(partnerSpec.product);
  const ourEdges = world.plan.find((e) => e.role === "av" && !e.vip).map((e) => e.address); // the edges' own addresses, never the VIP
  const theirAv = new PartnerAvEdge({
    host: partnerEdge.host, domain: partnerSpec.domain, address: partnerEdge.address, port: PORTS.stun, users: partnerSpec.users, events: ctx.events,
    ...(edgeToEdge ? { edgePeerPort: (ip: string) => (ourEdges.includes(ip) ? PORTS.stun : undefined) } : {}),
  });
  const callerHost = `client-${from.split("@")[0]}`;
  const alice = new IceAgent({
    host: callerHost, address: world.plan.byHost(callerHost).address, user: from, controlling: true, stunServer: { address: avVip, port: PORTS.stun },
    credentials: { username: creds.username, password: creds.password }, firewallAllows: ourAv, firewallName: `${from}'s firewall`, gate, events: ctx.events,
  });
  const bob = new IceAgent({
    host: `${short}-clients`, address: world.plan.byHost(`${short}-clients`).address, user: to, controlling: false, stunServer: theirAv.address,
    credentials: theirAv.credentialsFor(to), firewallAllows: [partnerEdge.address], firewallName: `${partnerSpec.domain}'s firewall`, gate, events: ctx.events,
  });
  let bobChecks: Promise<CheckResult[]> = Promise.resolve([]);
  const answerer = new PartnerCallAnswerer(partner, async (call) => {
    if (call.to !== to) return { status: 486, reason: `Busy Here (${call.to} is not the user this call client answers for)` };
    await bob.gather();
    await bob.setRemote(parseSdp(call.sdp));
    bobChecks = bob.checkAll(); // RFC 8445 6.1.4: the answerer starts checking once it has answered
    return { status: 200, sdp: bob.sdp() };
  });
  const ua = new CallUa({ uri: from, host: callerHost, address: alice.o.address, caPem: world.pki.ca.certPem, resolver: ctx.resolverFor("external", alice.o.address), events: ctx.events });

  await theirAv.start();
  try {
    await answerer.takeOver();
    await alice.gather();
    const invite = await ua.invite(to, alice.sdp());
    const report: CallReport = { from, to, invite, caller: side(alice, [], 0, packets), callee: side(bob, [], 0, packets), acked: false, byeReceived: false, packets };
    if (invite.status >= 300 || !invite.response) return report;
    await alice.setRemote(parseSdp(invite.response.body.toString("utf8")));
    const aliceChecks = await alice.checkAll();
    const best = aliceChecks.find((c) => c.ok);
    let sentA = 0;
    let sentB = 0;
    if (best) {
      await alice.nominate(best.pair);
      await until(() => bob.nominated !== undefined, 2000);
      report.selected = { ...IceAgent.pathOf(best.pair), local: best.pair.local, remote: best.pair.remote };
      if (bob.nominated) report.nominatedAtCallee = bob.nominated;
      sentA = await alice.sendMedia(report.selected, packets, 0xa11ce);
      if (bob.nominated) sentB = await bob.sendMedia(bob.nominated, packets, 0xb0b);
      await until(() => bob.media.received >= sentA && alice.media.received >= sentB, SETTLE_MS);
    }
    const calleeChecks = await bobChecks;
    report.caller = side(alice, aliceChecks, sentA, packets);
    report.callee = side(bob, calleeChecks, sentB, packets);
    const callId = ua.callId;
    report.bye = await ua.bye();
    report.acked = callId !== undefined && answerer.acked.includes(callId);
    report.byeReceived = callId !== undefined && answerer.byes.includes(callId);
    return report;
  } finally {
    ua.stop();
    await alice.close();
    await bob.close();
    await answerer.release();
    await theirAv.stop();
  }
}
