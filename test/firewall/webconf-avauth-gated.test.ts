/**
 * PORT-3 and PORT-5 for Web Conferencing, A/V authentication and ICE, the way seed 002
 * says: the front end connects OUT to each Web Conferencing Edge's internal 8057
 * (002-int-node-psom-8057) and asks A/V credentials on the internal VIP's 5062
 * (002-int-vip-avauth-5062; under an HLB a node's 5062 has no rule); a remote user's
 * check to an internal user's host candidate dies at the external firewall. One world
 * (zone base ZONE_BASE.firewallWebconfAvAuth), rules restored after each case.
 */
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { check } from "../../edge/firewall/check.ts";
import { FirewallDropError } from "../../edge/net/gate.ts";
import { requestAvCredentials } from "../../edge/roles/av-edge/index.ts";
import { newTransactionId, StunClass, StunMessageBuilder, StunMethod } from "../../edge/wire/stun/index.ts";
import { IceSocket } from "../../harness/clients/av-call/ice-socket.ts";
import { computePortPlan, firewallModel } from "../../harness/net/port-plan.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import type { RunningPsom } from "../../harness/org/psom/service.ts";
import { buildAddressPlan } from "../../harness/world/address-plan.ts";
import type { RunningWebconf } from "../../harness/world/webconf-edge-service.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";
import { meeting } from "./webconf-probe.ts";

const topology = topologyAt(ZONE_BASE.firewallWebconfAvAuth);

let world: World;
beforeAll(async () => {
  world = await startTestWorld(topology, { services: ["dns", "av-edge", "psom", "webconf-edge", "hlb"] });
}, 90_000);
afterEach(() => worldFirewall(world?.context).reset());
afterAll(async () => {
  await world?.stop();
});

const addr = (host: string, iface?: string) => world.plan.byHost(host, iface).address;
const fw = () => worldFirewall(world.context);
const ca = () => readFileSync(world.pki.caFile, "utf8");
const vipWebconf = () => ({ address: addr("vip-webconf"), port: 10443 });
const fwEvents = (events: EdgeEvent[], kind: "firewall.pass" | "firewall.drop", dstPort: number) => events.filter((e) => e.kind === kind && e.tuple?.dstPort === dstPort);
const asFrontEnd = (address: string, servername: string) => requestAvCredentials({
  address, port: 5062, servername, identity: world.pki.identity("frontend"), user: "sip:alice@contoso.test",
  localAddress: addr("fe01"), host: "fe01", gate: fw().gate, events: world.context.events,
});

describe("Web Conferencing: the front end's PSOM connects out to the edge's internal 8057", () => {
  it("PORT-3: the front end's PSOM connection to the edge's internal 8057 passes by 002-int-node-psom-8057", async () => {
    const psom = world.service("psom") as RunningPsom;
    expect(psom.links.map((l) => [l.edge, l.ready])).toEqual([["edge1", true], ["edge2", true]]);
    const rec = world.bus.record(["firewall.pass", "firewall.drop"]);
    const got = await meeting({ from: addr("client-alice"), to: vipWebconf(), ca: ca() });
    rec.stop();
    expect(got.lines[0]).toMatch(new RegExp(`^PSOM fe01 peer=(${addr("edge1", "internal")}|${addr("edge2", "internal")}) cert=edgepool\\.contoso\\.test$`));
    expect(got.lines.slice(1, 2)).toEqual(["JOINED conf1 1 members"]);
    const legs = fwEvents(rec.events, "firewall.pass", 8057);
    expect(legs.length, "the data leg's dial passed the internal firewall").toBeGreaterThan(0);
    for (const e of legs) {
      expect(e.host).toBe("fe01");
      expect(e.tuple?.srcAddress).toBe(addr("fe01"));
      expect(e.kind === "firewall.pass" && e.detail).toContain("by rule 002-int-node-psom-8057");
    }
    expect(rec.events.filter((e) => e.tuple?.dstAddress === addr("fe01")), "the edge never dials the front end").toEqual([]);
    // The client's side (443 is bound as 10443 without root; the gate judges the documented port).
    expect(rec.events.some((e) => e.kind === "firewall.pass" && e.tuple?.dstAddress === vipWebconf().address && e.detail.includes("by rule 002-ext-vip-psom-443-in"))).toBe(true);
  });

  it("PORT-5: without 002-int-node-psom-8057 an external meeting client gets a refusal and the drop names the rule", async () => {
    fw().removeRule("002-int-node-psom-8057");
    const rec = world.bus.record(["firewall.drop", "note"]);
    const got = await meeting({ from: addr("client-alice"), to: vipWebconf(), ca: ca() });
    rec.stop();
    // The control link that passed stays open (a stateful firewall keeps established flows); the new data leg is dropped.
    expect(got.closed).toBe(true);
    expect(got.lines).toHaveLength(1);
    expect(got.lines[0]).toMatch(/^ERROR front end fe01 could not open a data leg to .*:8057: firewall drop: .*internal firewall drops it.*missing rule 002-int-node-psom-8057/);
    const drops = fwEvents(rec.events, "firewall.drop", 8057);
    expect(drops.length).toBeGreaterThan(0);
    for (const d of drops) {
      expect(d.rules).toEqual(expect.arrayContaining(["PORT-5", "PORT-3"]));
      expect(d.kind === "firewall.drop" && d.detail).toContain("missing rule 002-int-node-psom-8057");
    }
    expect(rec.events.some((e) => e.kind === "note" && e.rules.includes("PORT-5") && e.detail.includes("refused"))).toBe(true);
  });

  it("PORT-5: with no front end connected at all the client is refused at once, the refusal traced (not a hang)", async () => {
    const webconf = world.service("webconf-edge") as RunningWebconf;
    fw().removeRule("002-int-node-psom-8057");
    // Reset the established control links: the front end's reconnections are now dropped (traced) until the rule is back.
    for (const e of webconf.edges.values()) e.psom.disconnectFrontEnds();
    const deadline = Date.now() + 3000;
    while ([...webconf.edges.values()].some((e) => e.psom.frontEnds.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const rec = world.bus.record(["note"]);
    const got = await meeting({ from: addr("client-alice"), to: vipWebconf(), ca: ca() });
    rec.stop();
    expect(got.closed).toBe(true);
    expect(got.ms).toBeLessThan(2000);
    expect(got.lines[0]).toMatch(/^ERROR no front end has connected to edge[12]'s internal interface .*:8057 .*rule 002-int-node-psom-8057/);
    expect(rec.events.some((e) => e.kind === "note" && e.rules.includes("PORT-5") && e.detail.includes("no front end has connected"))).toBe(true);
    fw().reset();
    expect(await (world.service("psom") as RunningPsom).connectEdges(5000), "the links come back with the rule").toBe(true);
  });
});

describe("A/V authentication (MRAS, 5062): the front end asks the internal VIP", () => {
  it("CERT-3/PORT-3: the front end's A/V credential request to the internal VIP 5062 passes by 002-int-vip-avauth-5062; to an edge node directly it is dropped", async () => {
    const rec = world.bus.record(["firewall.pass", "firewall.drop"]);
    const creds = await asFrontEnd(addr("vip-internal"), "edgepool.contoso.test");
    expect(creds.username).toMatch(/^\d+:sip:alice@contoso\.test$/);
    const err = await asFrontEnd(addr("edge1", "internal"), "edge1.contoso.test").catch((e: unknown) => e);
    rec.stop();
    expect(fwEvents(rec.events, "firewall.pass", 5062).some((e) => e.kind === "firewall.pass" && e.host === "fe01" && e.detail.includes("by rule 002-int-vip-avauth-5062"))).toBe(true);
    expect(err).toMatchObject({ name: "AvCredentialError", code: 504 });
    const drop = (err as Error).cause as FirewallDropError;
    expect(drop).toBeInstanceOf(FirewallDropError);
    expect(drop.decision).toMatchObject({ allowed: false, firewall: "internal" });
    expect(drop.decision.rules).toContain("PORT-5");
    expect(fwEvents(rec.events, "firewall.drop", 5062).map((e) => e.tuple?.dstAddress)).toEqual([addr("edge1", "internal")]);
  });

  it("PORT-5: an ungated dial from the front end to a node's 5062 is reset by the node's gated listener, the drop traced there", async () => {
    const rec = world.bus.record(["firewall.drop"]);
    const err = await requestAvCredentials({ address: addr("edge2", "internal"), port: 5062, servername: "edge2.contoso.test", identity: world.pki.identity("frontend"), user: "sip:alice@contoso.test", localAddress: addr("fe01") }).catch((e: unknown) => e);
    rec.stop();
    expect(err).toMatchObject({ name: "AvCredentialError", code: 502 });
    const drops = fwEvents(rec.events, "firewall.drop", 5062);
    expect(drops.map((d) => [d.host, d.tuple?.srcAddress])).toEqual([["edge2", addr("fe01")]]);
    expect(drops[0]!.rules).toContain("PORT-5");
  });

  it("CERT-3/PORT-3: with DNS load balancing the same row names the edges' internal addresses, so a node's 5062 passes", () => {
    const t = structuredClone(topology);
    t.organisation.edgePool.loadBalancing = "dns";
    const model = firewallModel(computePortPlan(t));
    const plan = buildAddressPlan(t);
    const d = check(model, { transport: "tls", srcAddress: plan.byHost("fe01").address, srcPort: 0, dstAddress: plan.byHost("edge1", "internal").address, dstPort: 5062 }, { host: "fe01" });
    expect(d).toMatchObject({ allowed: true, firewall: "internal", rule: { id: "002-int-vip-avauth-5062" } });
  });
});

describe("ICE: the A/V call client's sockets behind the world's firewall", () => {
  const binding = () => new StunMessageBuilder(StunMethod.Binding, StunClass.Request, newTransactionId()).encode();
  const socket = async (host: string) => {
    const s = new IceSocket({ host, address: addr(host), gate: fw().gate, events: world.context.events });
    await s.bind();
    return s;
  };

  it("PORT-5: a remote user's check to an internal host candidate is dropped by the external firewall", async () => {
    const [alice, carol] = [await socket("client-alice"), await socket("client-carol")];
    const raw = dgram.createSocket("udp4");
    try {
      const arrived: string[] = [];
      carol.onArrival((a) => arrived.push(`${a.from.address}:${a.from.port}`));
      const rec = world.bus.record(["firewall.drop", "firewall.pass"]);
      // Gated sender: stopped before it leaves.
      expect(alice.sendDirect(binding(), carol.local)).toBe(false);
      expect(alice.dropped[0]).toMatch(/^the external firewall dropped \d+ bytes to .*missing/);
      // Ungated sender on alice's address: carol's socket does not deliver it.
      await new Promise<void>((r) => raw.bind({ address: addr("client-alice"), port: 0 }, () => r()));
      await new Promise<void>((r) => raw.send(binding(), carol.local.port, carol.local.address, () => r()));
      const until = Date.now() + 2000;
      while (!carol.dropped.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      // For contrast: alice's Binding to the A/V VIP passes by its rule.
      expect(alice.sendDirect(binding(), { address: addr("vip-av"), port: 3478 })).toBe(true);
      rec.stop();
      expect(arrived).toEqual([]);
      const drops = rec.events.filter((e) => e.kind === "firewall.drop" && e.tuple?.dstAddress === carol.local.address);
      expect(drops.map((d) => d.host).sort()).toEqual(["client-alice", "client-carol"]);
      for (const d of drops) {
        expect(d.kind === "firewall.drop" && d.firewall).toBe("external");
        expect(d.rules).toContain("PORT-5");
        expect(d.kind === "firewall.drop" && d.detail).toMatch(/external firewall drops it \(inbound, internet -> internal\): missing/);
      }
      expect(rec.events.some((e) => e.kind === "firewall.pass" && e.host === "client-alice" && e.detail.includes("by rule 002-ext-vip-stun-udp-in"))).toBe(true);
    } finally {
      raw.close();
      alice.close();
      carol.close();
    }
  });
});
