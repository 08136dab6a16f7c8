/**
 * Reads a call's outcome against the rules it demonstrates, from what really happened (the
 * candidates the edges answered, the checks' results, the trace's drops, the media counts):
 *  - HLB-2: with no NAT on the A/V VIP the caller's server-reflexive candidate is its own address;
 *  - HLB-6: with SNAT it names the balancer, and checks sent to it die at the balancer; answers
 *    from an edge's physical address die at the caller's client or, first, the external firewall (PORT-5);
 *  - HLB-3 / PORT-1: the relayed candidate, where media reaches our edge, is on an edge's own
 *    external A/V address in 50000-59999, never the VIP.
 * The result uses the scenario conventions: delivered (call set up and every packet received
 * both ways), rules, via, detail.
 */
import type { EdgeEvent } from "../../../edge/events/types.ts";
import type { PlannedAddress } from "../../world/address-plan.ts";
import type { CallReport } from "./call.ts";
import { addrText, candidateText } from "./ice-types.ts";
import { ownCode } from "../../../edge/policy/diagnostics.ts";

export interface CallFindings {
  delivered: boolean;
  rules: string[];
  via: string;
  findings: string[];
  summary: string;
}

export function callFindings(r: CallReport, events: EdgeEvent[], plan: { find(p: (a: PlannedAddress) => boolean): PlannedAddress[] }): CallFindings {
  const rules = new Set<string>();
  const findings: string[] = [];
  const say = (text: string, ...ids: string[]) => {
    findings.push(text);
    ids.forEach((i) => rules.add(i));
  };
  const av = plan.find((a) => a.role === "av");
  const vip = av.find((a) => a.vip);
  const edgeAt = (address: string) => av.find((a) => !a.vip && a.address === address);
  const cands = r.caller.candidates;
  const host = cands.find((c) => c.type === "host");
  const srflx = cands.find((c) => c.type === "srflx");
  const relay = cands.find((c) => c.type === "relay");
  const caller = r.from.split("@")[0]!;
  const callee = r.to.split("@")[0]!;

  if (r.invite.status >= 300) say(`the INVITE failed: ${r.invite.status} ${r.invite.reason}${r.invite.diagnostics ? ` (ms-diagnostics ${ownCode(r.invite.diagnostics.code)} "${r.invite.diagnostics.text}")` : ""}`);
  else say(`${r.from} called ${r.to}: INVITE ${r.invite.status} ${r.invite.reason}, ACK, BYE ${r.bye ? `${r.bye.status} ${r.bye.reason}` : "not sent"}`);

  if (srflx && host && srflx.address === host.address)
    say(`HLB-2: ${caller}'s server-reflexive candidate ${addrText(srflx)} is her real address: the A/V VIP did not change the source`, "HLB-2");
  else if (srflx && vip && srflx.address === vip.address)
    say(`HLB-6: ${caller}'s server-reflexive candidate ${addrText(srflx)} names the load balancer (the A/V VIP ${vip.address} with SNAT), not ${caller} (${host ? addrText(host) : "?"}): a wrong candidate`, "HLB-6");
  else if (srflx) say(`${caller}'s server-reflexive candidate ${addrText(srflx)} is neither her address nor the VIP`);
  else say(`${caller} has no server-reflexive candidate: ${r.caller.problems.join("; ")}`);

  const srflxChecks = r.callee.checks.filter((c) => c.pair.remote.type === "srflx");
  if (srflx && srflxChecks.length) {
    const ok = srflxChecks.filter((c) => c.ok).length;
    const atBalancer = events.filter((e) => e.kind === "lb.forward" && e.rules.includes("HLB-6") && e.detail.includes("not its server: dropped"));
    if (atBalancer.length) say(`HLB-6: ${callee}'s checks to ${caller}'s server-reflexive candidate ${addrText(srflx)} failed (${ok}/${srflxChecks.length} answered): the balancer dropped them (${atBalancer[0]!.kind === "lb.forward" ? atBalancer[0]!.detail : ""})`, "HLB-6");
    else say(`${callee}'s checks to ${caller}'s server-reflexive candidate ${addrText(srflx)}: ${ok}/${srflxChecks.length} answered (${srflxChecks.map((c) => c.detail).join("; ")})`);
  }

  if (relay) {
    const edge = edgeAt(relay.address);
    if (edge) {
      say(`HLB-3: ${caller}'s relayed candidate ${addrText(relay)} is on ${edge.host}'s own external A/V address, not the VIP${vip ? ` ${vip.address}` : ""}`, "HLB-3");
      if (relay.port >= 50000 && relay.port <= 59999) say(`PORT-1: the relay port ${relay.port} is in the A/V range 50000-59999`, "PORT-1");
      else say(`PORT-1 violated: the relay port ${relay.port} is outside 50000-59999`, "PORT-1");
    } else say(`HLB-3 violated: ${caller}'s relayed candidate ${addrText(relay)} is not on an edge's own A/V address${vip && relay.address === vip.address ? " (it is the VIP)" : ""}`, "HLB-3");
  } else say(`${caller} has no relayed candidate: ${r.caller.problems.join("; ")}`);

  // HLB-3 after the Allocate: the edge that holds the allocation traced the client reaching it at its own address.
  const moved = relay ? events.find((e) => e.kind === "turn.allocation" && e.reachedAt !== undefined && e.relayed?.address === relay.address && e.relayed.port === relay.port) : undefined;
  if (relay && moved?.kind === "turn.allocation" && moved.reachedAt) say(`HLB-3: after the Allocate ${caller}'s TURN requests and media went to ${moved.host}'s own A/V address ${addrText(moved.reachedAt)}, not through the A/V VIP`, "HLB-3");
  const refused = r.caller.problems.filter((p) => p.startsWith("relay permissions:") && / 437 /.test(p));
  if (refused.length)
    say(`HLB-6: ${caller}'s allocation was made for the address the balancer put on her Allocate (SNAT), so the edge holding it does not know her when she reaches it at its own address (HLB-3): ${refused.join("; ")}; her relayed candidate is dead`, "HLB-6", "HLB-3");

  const wrongSource = r.caller.problems.filter((p) => p.includes("not the address the client targeted"));
  if (wrongSource.length) say(`HLB-6: ${caller}'s A/V Edge answered from another address than the one she targeted, so her client dropped the answers: ${wrongSource.join("; ")}`, "HLB-6");
  // The same misconfiguration one hop earlier: the answer from an edge's physical address matches no flow of the
  // external firewall (she sent to the VIP) and no rule, so the firewall drops it before her client sees it (PORT-5).
  const atFirewall = r.caller.problems.filter((p) => / firewall dropped \d+ bytes from /.test(p) && av.some((a) => !a.vip && p.includes(`from ${a.address}:`)));
  if (atFirewall.length) say(`HLB-6: ${caller}'s A/V Edge answered from its physical address, not the VIP she targeted, and the external firewall dropped the answers (no flow or rule matches them): ${atFirewall.join("; ")}`, "HLB-6", "PORT-5");

  let via = "no media path";
  if (r.selected) {
    const local = r.selected.local;
    const edge = local.type === "relay" ? edgeAt(local.address) : undefined;
    via = edge ? `relay on ${edge.host}'s physical A/V IP ${addrText(local)}` : `${candidateText(local)} (not through our A/V Edge)`;
    say(`ICE selected ${r.selected.pair} (the highest-priority pair that answered; ${r.caller.checks.filter((c) => !c.ok).length} of ${r.caller.checks.length} of ${caller}'s checks failed)`);
  } else say(`ICE found no working pair: ${r.caller.checks.map((c) => `${candidateText(c.pair.local)} -> ${candidateText(c.pair.remote)}: ${c.detail}`).join("; ")}`);

  const fwd = `${r.callee.mediaReceived}/${r.caller.mediaSent}`;
  const back = `${r.caller.mediaReceived}/${r.callee.mediaSent}`;
  if (r.selected) say(`media: ${caller} -> ${callee} ${fwd} packets received (from ${r.callee.mediaSources.join(", ") || "nowhere"}), ${callee} -> ${caller} ${back} (from ${r.caller.mediaSources.join(", ") || "nowhere"})`);
  const delivered = r.invite.status < 300 && r.selected !== undefined && r.caller.mediaSent === r.packets && r.callee.mediaSent === r.packets
    && r.callee.mediaReceived === r.packets && r.caller.mediaReceived === r.packets;
  const summary = `${r.from} -> ${r.to}: ${r.invite.status} ${r.invite.reason}; ${r.selected ? `media ${fwd} and ${back} via ${via}` : "no media path"}`;
  return { delivered, rules: [...rules], via, findings, summary };
}
