/**
 * The sandbox DNS behind the world's firewalls (PORT-5, PORT-1): every query is
 * real packets from the asking host's own address, judged by its zone. The Access
 * Edge asks the external view from its external access address (seed 002's
 * 002-ext-node-dns-udp-53-out); its internal side reads the front-end pool from a
 * HOSTS file, since no seed rule opens DNS from the perimeter to the internal DNS;
 * the internet never reaches the internal view. World: contoso with DNS load
 * balancing (each edge's own address), rules restored after each case.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { DnsTimeoutError, queryDns } from "../../harness/dns/client.ts";
import { worldFirewall } from "../../harness/net/world-firewall.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";
import { sipPartnerOf } from "../../harness/world/sip-partners-service.ts";
import type { World } from "../../harness/world/world.ts";
import { dnsLoadBalanced, SIP_SERVICES } from "../access-edge/world-helpers.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";

let world: World;
beforeAll(async () => {
  world = await startTestWorld(topologyAt(ZONE_BASE.firewallDns, "contoso", dnsLoadBalanced), { services: SIP_SERVICES });
}, 60_000);
afterEach(() => worldFirewall(world?.context).reset());
afterAll(async () => {
  await world?.stop();
});

const addr = (host: string, iface?: string) => world.plan.byHost(host, iface).address;
const edgeAddresses = (iface: string) => world.topology.organisation.edgePool.servers.map((e) => addr(e, iface));
const dnsPort = () => Number(world.readyInfo.dns.external.split(":")[1]);
const fromEdge = (e: EdgeEvent) => edgeAddresses("external-access").includes(e.tuple?.srcAddress ?? "");

type Recording = ReturnType<World["bus"]["record"]>;
const firewallEvents = (rec: Recording) => rec.events.filter((e): e is Extract<EdgeEvent, { kind: "firewall.pass" | "firewall.drop" }> => e.kind === "firewall.pass" || e.kind === "firewall.drop");

describe("the Access Edge's DNS queries pass the external firewall by seed 002's rule", () => {
  it("PORT-1: the Access Edge's SRV query leaves from its external address and passes by 002-ext-node-dns-udp-53-out", async () => {
    const rec = world.bus.record(["dns.query", "firewall.pass", "firewall.drop"]);
    const r = await frontEndOf(world).user("carol@contoso.test").sendMessage("bob@fabrikam.test", "resolved from the edge");
    rec.stop();
    expect(r, JSON.stringify(r)).toMatchObject({ status: 200 });
    await sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").inbox.next(5000);

    const query = rec.events.find((e) => e.kind === "dns.query" && e.name === "_sipfederationtls._tcp.fabrikam.test" && e.type === "SRV");
    expect(query?.host).toBe("dns-external");
    expect(query && fromEdge(query), `the SRV query came from ${query?.tuple?.srcAddress}, not an edge's external access address`).toBe(true);
    const pass = firewallEvents(rec).find((e) => e.kind === "firewall.pass" && e.tuple?.srcAddress === query!.tuple!.srcAddress && e.tuple?.dstAddress === world.plan.dns.external);
    expect(pass?.firewall).toBe("external");
    expect(pass?.detail).toContain("by rule 002-ext-node-dns-udp-53-out");
    expect(firewallEvents(rec).filter((e) => e.kind === "firewall.drop")).toEqual([]);
  });

  it("PORT-3: the Access Edge finds the front-end pool in its HOSTS file: an inbound message reaches carol and no DNS query leaves its internal interface", async () => {
    const rec = world.bus.record(["dns.query", "firewall.drop"]);
    const r = await sipPartnerOf(world, "fabrikam.test").user("bob@fabrikam.test").sendMessage("carol@contoso.test", "to the pool by HOSTS");
    rec.stop();
    expect(r, JSON.stringify(r)).toMatchObject({ status: 200 });
    expect(await frontEndOf(world).user("carol@contoso.test").inbox.next(5000)).toMatchObject({ text: "to the pool by HOSTS" });
    const internal = edgeAddresses("internal");
    expect(rec.events.filter((e) => internal.includes(e.tuple?.srcAddress ?? ""))).toEqual([]);
  });
});

describe("PORT-5: a DNS query the firewall has no rule for is not answered", () => {
  it("PORT-5: without 002-ext-node-dns-udp-53-out the edge's query is dropped, traced with the missing rule", async () => {
    worldFirewall(world.context).removeRule("002-ext-node-dns-udp-53-out");
    const rec = world.bus.record(["dns.query", "firewall.drop"]);
    // northwind.test is a discovered partner (FED-2): the edge must find its SRV record (DNS-1).
    const r = await frontEndOf(world).user("carol@contoso.test").sendMessage("nancy@northwind.test", "no DNS, no federation", { timeoutMs: 15_000 });
    rec.stop();
    expect(r.status, JSON.stringify(r)).toBe(504);
    expect(r.diagnostics?.code).toBe(54011);
    expect(r.diagnostics?.text).toMatch(/^DNS-1: /);
    expect(rec.events.some((e) => e.kind === "dns.query" && e.name === "_sipfederationtls._tcp.northwind.test"), "the DNS never saw the query").toBe(false);
    const drops = firewallEvents(rec).filter((e) => e.tuple?.dstAddress === world.plan.dns.external);
    expect(drops.length, "the drop is traced").toBeGreaterThan(0);
    for (const d of drops) {
      expect(d.host).toBe("dns-external");
      expect(fromEdge(d), `dropped query from ${d.tuple?.srcAddress}`).toBe(true);
      expect(d.rules).toContain("PORT-5");
      expect(d.detail).toContain("missing rule 002-ext-node-dns-udp-53-out");
    }
  });

  it("PORT-5: an internet host cannot query the internal view (UDP gets no answer, TCP is reset); an internal host can", async () => {
    const internalDns = { address: world.plan.dns.internal, port: dnsPort() };
    const rec = world.bus.record(["firewall.drop", "dns.query"]);
    await expect(queryDns({ ...internalDns, from: addr("client-alice") }, "lyncdiscoverinternal.contoso.test", "A", "udp", 1500)).rejects.toBeInstanceOf(DnsTimeoutError);
    await expect(queryDns({ ...internalDns, from: addr("client-alice") }, "lyncdiscoverinternal.contoso.test", "A", "tcp", 1500)).rejects.toMatchObject({ code: "ECONNRESET" });
    rec.stop();
    expect(rec.events.filter((e) => e.kind === "dns.query"), "the internal DNS answered nothing").toEqual([]);
    const drops = firewallEvents(rec);
    expect(drops.map((d) => d.tuple?.transport).sort()).toEqual(["tcp", "udp"]);
    for (const d of drops) {
      expect(d).toMatchObject({ kind: "firewall.drop", host: "dns-internal", firewall: "external" });
      expect(d.tuple).toMatchObject({ srcAddress: addr("client-alice"), dstAddress: internalDns.address });
      expect(d.rules).toContain("PORT-5");
      expect(d.detail).toContain("internet -> internal");
    }

    const inside = await queryDns({ ...internalDns, from: addr("client-carol") }, "lyncdiscoverinternal.contoso.test", "A");
    expect(inside.rcode).toBe("NOERROR");
    expect(inside.answers.length).toBeGreaterThan(0);
  });

  // dig as a user runs it: without -b it asks from 127.0.0.1, which the firewall model counts as the internet.
  peerIt(PEERS.dig)("PORT-5: dig without -b (the internet) gets no answer from the internal view; with -b an internal address it does", async () => {
    const run = promisify(execFile);
    const args = [`@${world.plan.dns.internal}`, "-p", String(dnsPort()), "A", "lyncdiscoverinternal.contoso.test", "+short", "+tries=1", "+time=1"];
    const outside = await run("dig", args, { encoding: "utf8" }).then((r) => ({ code: 0, out: r.stdout }), (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }));
    expect(outside.code, outside.out).toBe(9); // dig: no reply from the server
    const { stdout } = await run("dig", ["-b", addr("client-carol"), ...args], { encoding: "utf8" });
    expect(stdout.trim().split("\n")).toEqual([addr("vip-web-internal")]); // the internal web services VIP (MOB-5)
    expect((await run("dig", ["-b", addr("client-alice"), `@${world.plan.dns.external}`, "-p", String(dnsPort()), "A", "sip.contoso.test", "+short"], { encoding: "utf8" })).stdout.trim().split("\n").sort()).toEqual(edgeAddresses("external-access").sort());
  });
});
