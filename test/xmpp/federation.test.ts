/**
 * XMPP federation end to end with edgesim's own partner server (fast): an
 * @xmpp/client user at jabber.test, our XMPP proxy on 5269 behind the Access VIP,
 * the internal 23456 link and the gateway to internal users (XMPP-1..5, DNS-3, FED-9).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { topologyAt, startTestWorld } from "../kit/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { XmppUser } from "../../partners/xmpp/xmpp-user.ts";
import { PARTNER_PASSWORD, C2S_PORT } from "../../harness/world/xmpp-partners-service.ts";
import type { XmppGatewayService } from "../../harness/world/xmpp-gateway-service.ts";
import type { XmppProxyService } from "../../harness/world/xmpp-proxy-service.ts";
import { federationConfigFromTopology } from "../../harness/topology/federation-config.ts";

const SERVICES = ["dns", "hlb", "xmpp-proxy", "xmpp-gateway", "xmpp-partners"];

describe("XMPP federation with edgesim's partner server", () => {
  let world: World;
  let romeo: XmppUser;
  let gw: XmppGatewayService;
  let topology: Parameters<typeof federationConfigFromTopology>[0];
  const events: EdgeEvent[] = [];

  beforeAll(async () => {
    const t = topologyAt(ZONE_BASE.xmppMini, "contoso", (t) => {
      t.partners.push({ domain: "rogue.test", product: "xmpp", edges: [{ name: "xmpp1", fqdn: "xmpp.rogue.test" }], loadBalancing: "dns", users: ["eve@rogue.test"], hostedDomains: [], publishSrv: true, certificate: { omitClientAuth: false, wrongSan: false, expired: false, untrustedCa: false } });
    });
    world = await startTestWorld(t, { services: SERVICES });
    topology = t;
    world.bus.subscribe((e) => events.push(e));
    gw = world.service("xmpp-gateway") as XmppGatewayService;
    const jabber = world.plan.byHost("jabber-xmpp1").address;
    romeo = new XmppUser({ address: jabber, port: C2S_PORT, domain: "jabber.test", username: "romeo", password: PARTNER_PASSWORD, caFile: world.pki.caFile });
    await romeo.start();
  }, 60_000);

  afterAll(async () => {
    await romeo?.stop();
    await world?.stop();
  });

  it("XMPP-1, XMPP-4, DNS-3: an @xmpp/client user's IM reaches alice@contoso.test and her reply reaches him", async () => {
    const alice = gw.users.user("alice@contoso.test");
    romeo.message("alice@contoso.test", "hello alice", { id: "m1" });
    await expect.poll(() => alice.received.find((m) => m.body === "hello alice"), { timeout: 15_000 }).toBeDefined();
    const got = alice.received.find((m) => m.body === "hello alice")!;
    expect(got.from).toBe("sip:romeo@jabber.test");
    const sent = gw.gateway.sendIm("sip:alice@contoso.test", got.xmppJid, "hi romeo");
    expect(sent.ok).toBe(true);
    const reply = await romeo.waitFor((s) => s.name === "message" && s.body === "hi romeo", 15_000);
    expect(reply?.attrs.from).toBe("alice@contoso.test");
  }, 40_000);

  it("XMPP-4: presence both ways - a directed presence shows as availability, a subscriber sees alice's changes", async () => {
    const alice = gw.users.user("alice@contoso.test");
    romeo.presence({ to: "alice@contoso.test", show: "away", status: "at lunch" });
    await expect.poll(() => alice.presences.find((p) => p.note === "at lunch"), { timeout: 15_000 }).toMatchObject({ from: "sip:romeo@jabber.test", availability: 15500 });
    romeo.presence({ to: "alice@contoso.test", type: "subscribe" });
    expect(await romeo.waitFor((s) => s.name === "presence" && s.attrs.type === "subscribed" && s.attrs.from === "alice@contoso.test")).toBeDefined();
    expect(gw.gateway.publishPresence("sip:alice@contoso.test", 6500, "in a meeting")).toBe(1);
    const seen = await romeo.waitFor((s) => s.name === "presence" && s.show === "dnd" && s.status === "in a meeting");
    expect(seen?.attrs.from).toBe("alice@contoso.test");
    gw.gateway.publishPresence("sip:alice@contoso.test", 18500);
    expect(await romeo.waitFor((s) => s.name === "presence" && s.attrs.type === "unavailable" && s.attrs.from === "alice@contoso.test")).toBeDefined();
  }, 40_000);

  const refusals = [
    { name: "FED-9: dave's policy lacks EnableXmppAccess", to: "dave@contoso.test", condition: "forbidden", rule: "FED-9" },
    { name: "XMPP-5: erin is homed on a survivable branch appliance", to: "erin@contoso.test", condition: "forbidden", rule: "XMPP-5" },
    { name: "FED-9: nobody@contoso.test is not a user", to: "nobody@contoso.test", condition: "item-not-found", rule: "FED-9" },
  ];
  for (const c of refusals) {
    it(`${c.name}: the partner's IM is answered ${c.condition} and not delivered`, async () => {
      romeo.message(c.to, `for ${c.to}`, { id: `r-${c.to}` });
      const err = await romeo.waitFor((s) => s.attrs.id === `r-${c.to}` && s.attrs.type === "error", 15_000);
      expect(err?.errorCondition).toBe(c.condition);
      expect(err?.errorText).toContain(c.rule);
      expect(gw.users.user(c.to).received).toHaveLength(0);
    }, 30_000);
  }

  it("FED-9, XMPP-5, XMPP-4: the gateway refuses outgoing IM for users without XMPP and multi-party sends", () => {
    expect(gw.gateway.sendIm("sip:dave@contoso.test", "romeo@jabber.test", "x")).toMatchObject({ ok: false, rule: "FED-9" });
    expect(gw.gateway.sendIm("sip:erin@contoso.test", "romeo@jabber.test", "x")).toMatchObject({ ok: false, rule: "XMPP-5" });
    expect(gw.gateway.sendIm("sip:alice@contoso.test", ["romeo@jabber.test", "juliet@jabber.test"], "x")).toMatchObject({ ok: false, rule: "XMPP-4" });
    expect(gw.gateway.sendIm("sip:alice@contoso.test", "someone@notapartner.test", "x")).toMatchObject({ ok: false, rule: "XMPP-2" });
  });

  it("XMPP-4: a group chat message from the partner is refused feature-not-implemented", async () => {
    romeo.message("alice@contoso.test", "room talk", { type: "groupchat", id: "gc1" });
    const err = await romeo.waitFor((s) => s.attrs.id === "gc1" && s.attrs.type === "error", 15_000);
    expect(err?.errorCondition).toBe("feature-not-implemented");
    expect(gw.users.user("alice@contoso.test").received.some((m) => m.body === "room talk")).toBe(false);
  }, 30_000);

  it("DNS-3, XMPP-3: the edge found jabber.test by _xmpp-server._tcp SRV and authenticated the streams", () => {
    expect(events.some((e) => e.kind === "dns.query" && e.name === "_xmpp-server._tcp.jabber.test" && e.type === "SRV" && e.rcode === "NOERROR")).toBe(true);
    expect(events.some((e) => e.kind === "dns.query" && e.name === "_xmpp-server._tcp.contoso.test" && e.answers.some((a) => a.includes("xmpp.contoso.test")))).toBe(true);
    expect(events.some((e) => e.kind === "xmpp.stream" && /authenticated by/.test(e.detail) && e.rules.includes("XMPP-3"))).toBe(true);
  });

  it("XMPP-2: a domain that is not an XMPP allowed partner is refused with policy-violation, and its user's IM goes nowhere", async () => {
    const eve = new XmppUser({ address: world.plan.byHost("rogue-xmpp1").address, port: C2S_PORT, domain: "rogue.test", username: "eve", password: PARTNER_PASSWORD, caFile: world.pki.caFile });
    await eve.start();
    try {
      eve.message("alice@contoso.test", "let me in", { id: "e1" });
      const err = await eve.waitFor((s) => s.attrs.id === "e1" && s.attrs.type === "error", 20_000);
      expect(err).toBeDefined();
      await expect.poll(() => events.some((e) => e.kind === "xmpp.refused" && e.rules.includes("XMPP-2") && /stream error policy-violation: rogue\.test is not an XMPP allowed partner/.test(e.detail)), { timeout: 15_000 }).toBe(true);
      expect(gw.users.user("alice@contoso.test").received.some((m) => m.body === "let me in")).toBe(false);
    } finally {
      await eve.stop();
    }
  }, 40_000);

  it("FED-1: with AllowFederatedUsers false the XMPP proxy refuses an allowed XMPP partner's stream with policy-violation naming FED-1", async () => {
    const proxies = (world.service("xmpp-proxy") as XmppProxyService).proxies;
    const off = federationConfigFromTopology(topology);
    off.accessEdge.AllowFederatedUsers = false;
    for (const p of proxies) p.reconfigure(off);
    try {
      // reconfigure closes the open streams; a message racing that close may be lost with it, so try again until answered.
      let err;
      for (let i = 1; i <= 6 && !err; i++) {
        romeo.message("alice@contoso.test", "federation is off", { id: `f${i}` });
        err = await romeo.waitFor((s) => s.attrs.id === `f${i}` && s.attrs.type === "error", 5_000);
      }
      expect(err).toBeDefined();
      await expect.poll(() => events.find((e) => e.kind === "xmpp.refused" && e.rules.includes("FED-1") && /stream error policy-violation: AllowFederatedUsers is false/.test(e.detail) && /52010/.test(e.detail)), { timeout: 15_000 }).toBeDefined();
      expect(gw.users.user("alice@contoso.test").received.some((m) => m.body === "federation is off")).toBe(false);
      // Our side too: the gateway's IM to romeo leaves the edge no more (the proxy bounces it, FED-1).
      const alice = gw.users.user("alice@contoso.test");
      const before = alice.errors.length;
      expect(gw.gateway.sendIm("sip:alice@contoso.test", "romeo@jabber.test", "still there?").ok).toBe(true);
      await expect.poll(() => alice.errors.slice(before).find((e) => /FED-1/.test(e.text ?? "")), { timeout: 15_000 }).toBeDefined();
      expect(await romeo.waitFor((s) => s.name === "message" && s.body === "still there?", 2_000)).toBeUndefined();
    } finally {
      for (const p of proxies) p.reconfigure(federationConfigFromTopology(topology));
    }
  }, 60_000);
});
