import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { promises as dnsPromises } from "node:dns";
import net from "node:net";
import { queryDns } from "../../harness/dns/client.ts";
import { createResolver } from "../../harness/dns/resolver.ts";
import type { World } from "../../harness/world/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { startTestWorld, topologyAt } from "../kit/world.ts";

const B = ZONE_BASE.dns;
let world: World;
let external: { address: string; port: number };
let internal: { address: string; port: number };

beforeAll(async () => {
  world = await startTestWorld(topologyAt(B, "contoso", (t) => {
    t.dnsRecords.push({ view: "external", name: "lyncdiscover.fabrikam.test", type: "CNAME", value: "lyncweb.contoso.test", priority: 0, weight: 100, replace: false });
  }), { services: ["dns"] });
  const split = (s: string) => ({ address: s.split(":")[0]!, port: Number(s.split(":")[1]) });
  external = split(world.readyInfo.dns.external);
  internal = split(world.readyInfo.dns.internal);
});
afterAll(async () => world?.stop());

const A = (n: number, third: number, fourth: number) => `127.${n}.${third}.${fourth}`;

describe("sandbox DNS over real packets", () => {
  it("DNS-1: _sipfederationtls._tcp of a DNS-load-balanced partner lists every edge on 5061, with their A records", async () => {
    const reply = await queryDns(external, "_sipfederationtls._tcp.fabrikam.test", "SRV");
    expect(reply.rcode).toBe("NOERROR");
    expect(reply.authoritative).toBe(true);
    const targets = reply.answers.map((a) => a.data as { target: string; port: number });
    expect(targets.map((t) => `${t.target}:${t.port}`).sort()).toEqual(["sip1.fabrikam.test:5061", "sip2.fabrikam.test:5061"]);
    expect(reply.additionals.map((a) => a.data).sort()).toEqual([A(B + 3, 10, 1), A(B + 3, 10, 2)]);
  });

  it("DNS-1: our own federation SRV points at the Access Edge FQDN, whose A record is the HLB VIP", async () => {
    const r = createResolver("external", external);
    expect(await r.resolveSrv("_sipfederationtls._tcp.contoso.test")).toEqual([{ target: "sip.contoso.test", port: 5061, priority: 0, weight: 100 }]);
    expect(await r.resolveA("sip.contoso.test")).toEqual([A(B + 2, 0, 10)]);
  });

  it("DNS-2: _sip._tls points remote users at the Access Edge on 443 (10443 when not root)", async () => {
    const r = createResolver("external", external);
    const [srv] = await r.resolveSrv("_sip._tls.contoso.test");
    expect(srv).toMatchObject({ target: "sip.contoso.test", port: 10443 });
  });

  it("DNS-3: _xmpp-server._tcp points at the XMPP proxy on 5269, which shares the Access Edge address", async () => {
    const r = createResolver("external", external);
    expect(await r.resolveSrv("_xmpp-server._tcp.contoso.test")).toEqual([{ target: "xmpp.contoso.test", port: 5269, priority: 0, weight: 100 }]);
    expect(await r.resolveA("xmpp.contoso.test")).toEqual(await r.resolveA("sip.contoso.test"));
    expect(await r.resolveSrv("_xmpp-server._tcp.jabber.test")).toEqual([{ target: "xmpp.jabber.test", port: 5269, priority: 0, weight: 100 }]);
  });

  it("DNS-4: an internal-only name is NXDOMAIN from the external view and resolves from the internal view", async () => {
    for (const name of ["lyncdiscoverinternal.contoso.test", "lyncwebint.contoso.test", "pool01.contoso.test", "edgepool.contoso.test"]) {
      expect((await queryDns(external, name, "A")).rcode, name).toBe("NXDOMAIN");
      expect((await queryDns(internal, name, "A")).answers.length, name).toBeGreaterThan(0);
    }
  });

  it("DNS-4: external names (external web FQDN, lyncdiscover) resolve from the internet view and from inside", async () => {
    for (const name of ["lyncweb.contoso.test", "lyncdiscover.contoso.test"]) {
      const outside = await queryDns(external, name, "A");
      const inside = await queryDns(internal, name, "A");
      expect(outside.answers.map((a) => a.data)).toEqual([A(B + 2, 9, 1)]);
      expect(inside.answers.map((a) => a.data)).toEqual(outside.answers.map((a) => a.data));
    }
  });

  it("DNS-5: with an HLB our edge pool publishes one VIP; with DNS load balancing every edge", async () => {
    expect((await queryDns(external, "av.contoso.test", "A")).answers.map((a) => a.data)).toEqual([A(B + 2, 0, 12)]);
    const dnsLb = await startTestWorld(topologyAt(ZONE_BASE.dnsLoadBalanced, "contoso", (t) => { t.organisation.edgePool.loadBalancing = "dns"; }), { services: ["dns"] });
    try {
      const ext = { address: dnsLb.plan.dns.external, port: external.port };
      const answers = (await queryDns(ext, "sip.contoso.test", "A")).answers.map((a) => String(a.data)).sort();
      const perimeterExternal = ZONE_BASE.dnsLoadBalanced + 2;
      expect(answers).toEqual([`127.${perimeterExternal}.1.10`, `127.${perimeterExternal}.2.10`]);
    } finally {
      await dnsLb.stop();
    }
  });

  it("a CNAME is followed inside the view, and the answer carries the chain", async () => {
    const reply = await queryDns(external, "lyncdiscover.fabrikam.test", "A");
    expect(reply.answers.map((a) => `${a.type} ${String(a.data)}`)).toEqual(["CNAME lyncweb.contoso.test", `A ${A(B + 2, 9, 1)}`]);
  });

  it("names outside .test are REFUSED: the sandbox never recurses to the real DNS", async () => {
    expect((await queryDns(external, "example.com", "A")).rcode).toBe("REFUSED");
  });

  it("answers over TCP (RFC 1035 4.2.2 length prefix) the same as over UDP", async () => {
    const udp = await queryDns(external, "_sipfederationtls._tcp.northwind.test", "SRV", "udp");
    const tcp = await queryDns(external, "_sipfederationtls._tcp.northwind.test", "SRV", "tcp");
    expect(tcp.answers).toEqual(udp.answers);
    expect(udp.answers).toHaveLength(2);
  });

  it("a garbage datagram gets FORMERR and the server keeps answering", async () => {
    const dgram = await import("node:dgram");
    const sock = dgram.createSocket("udp4");
    const reply = await new Promise<Buffer>((resolve) => {
      sock.once("message", resolve);
      sock.send(Buffer.from([0x12, 0x34, 0xff, 0xff, 0x00]), external.port, external.address);
    });
    sock.close();
    expect(reply.readUInt16BE(0)).toBe(0x1234);
    expect(reply[3]! & 0x0f).toBe(1); // FORMERR
    expect((await queryDns(external, "sip.contoso.test", "A")).rcode).toBe("NOERROR");
  });

  it("Node's own resolver and a net.connect lookup go through the sandbox view", async () => {
    const r = new dnsPromises.Resolver();
    r.setServers([`${external.address}:${external.port}`]);
    expect(await r.resolve4("sip1.fabrikam.test")).toEqual([A(B + 3, 10, 1)]);
    const resolver = createResolver("external", external);
    const server = net.createServer((s) => s.end("hi")).listen(0, A(B + 3, 10, 1));
    await new Promise((res) => server.once("listening", res));
    const port = (server.address() as net.AddressInfo).port;
    const text = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ host: "sip1.fabrikam.test", port, lookup: resolver.lookup });
      let got = "";
      c.on("data", (d) => (got += d));
      c.on("end", () => resolve(got));
      c.on("error", reject);
    });
    server.close();
    expect(text).toBe("hi");
  });

  // Asynchronous: the DNS server runs in this process and must keep answering while dig waits.
  peerIt(PEERS.dig)("DNS-1: dig reads our SRV answer (a DNS implementation nobody here wrote)", async () => {
    const run = promisify(execFile);
    const { stdout: out } = await run("dig", [`@${external.address}`, "-p", String(external.port), "SRV", "_sipfederationtls._tcp.fabrikam.test", "+short"], { encoding: "utf8" });
    expect(out.trim().split("\n").sort()).toEqual(["0 100 5061 sip1.fabrikam.test.", "0 100 5061 sip2.fabrikam.test."]);
    const { stdout: tcp } = await run("dig", [`@${external.address}`, "-p", String(external.port), "+tcp", "A", "lyncdiscoverinternal.contoso.test"], { encoding: "utf8" });
    expect(tcp).toMatch(/status: NXDOMAIN/);
  });
});
