/**
 * Hostile server-to-server streams against the XMPP proxy (XMPP-3, RFC 6120 4.9,
 * 11): a partner that authenticated by dialback and then sends a DOCTYPE, an
 * oversized stanza, bad XML or an entity gets the parser's stream error, and nothing
 * from that stream after the bad input reaches internal users. Streams that skip
 * authentication, name a host we do not serve, or inject bytes after <starttls/>
 * are refused too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { topologyAt, startTestWorld } from "../kit/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { dialbackKey } from "../../edge/roles/xmpp-proxy/dialback-key.ts";
import type { XmppGatewayService } from "../../harness/world/xmpp-gateway-service.ts";
import { RawStream, S2S_HEADER } from "./raw-stream.ts";

const MSG = (body: string) => `<message from='romeo@jabber.test' to='alice@contoso.test' type='chat'><body>${body}</body></message>`;

describe("hostile XMPP partner streams", () => {
  let world: World;
  let gw: XmppGatewayService;
  let edge: { address: string; port: number };
  const events: EdgeEvent[] = [];

  beforeAll(async () => {
    // DNS load balancing: the raw streams go straight to edge1's own 5269, which seed 002 opens
    // to the internet only without a balancer (with one, only the VIP is reachable: PORT-2).
    world = await startTestWorld(topologyAt(ZONE_BASE.xmppHostile, "contoso", (t) => (t.organisation.edgePool.loadBalancing = "dns")), { services: ["dns", "xmpp-proxy", "xmpp-gateway", "xmpp-partners"] });
    world.bus.subscribe((e) => events.push(e));
    gw = world.service("xmpp-gateway") as XmppGatewayService;
    edge = { address: world.plan.byHost("edge1", "external-access").address, port: 5269 };
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  /** A stream from jabber.test authenticated by dialback (the partner's authoritative server vouches for the key). */
  async function authenticated(): Promise<RawStream> {
    const raw = await RawStream.connect(edge.address, edge.port);
    raw.write(S2S_HEADER("jabber.test", "contoso.test"));
    const id = (await raw.waitFor(/<stream:stream[^>]* id='([^']+)'/))?.[1];
    expect(id).toBeDefined();
    await raw.waitFor(/<\/stream:features>|<stream:features\/>/);
    raw.write(`<db:result from='jabber.test' to='contoso.test'>${dialbackKey("jabber.test-dialback", "contoso.test", "jabber.test", id!)}</db:result>`);
    expect(await raw.waitFor(/<db:result[^>]*type='valid'/)).not.toBeNull();
    return raw;
  }

  const alice = () => gw.users.user("alice@contoso.test");

  const cases = [
    { name: "a DOCTYPE with an entity declaration", payload: (m: string) => `<!DOCTYPE lol [<!ENTITY lol 'lol'>]>${m}`, condition: "restricted-xml" },
    { name: "an oversized stanza (70,000-character body)", payload: (m: string) => MSG(`${m}${"A".repeat(70_000)}`), condition: "policy-violation" },
    { name: "mismatched tags", payload: (m: string) => `<message from='romeo@jabber.test' to='alice@contoso.test'><body>${m}</bdy></message>`, condition: "not-well-formed" },
    { name: "an undeclared entity reference", payload: (m: string) => MSG(`${m}&lol;`), condition: "restricted-xml" },
  ];

  for (const [i, c] of cases.entries()) {
    it(`XMPP-3: ${c.name} gets <${c.condition}/> and nothing after it reaches alice`, async () => {
      const raw = await authenticated();
      raw.write(MSG(`before-${i}`));
      await expect.poll(() => alice().received.some((m) => m.body === `before-${i}`), { timeout: 10_000 }).toBe(true);
      raw.write(c.payload(`hostile-${i}`) + MSG(`after-${i}`));
      expect(await raw.waitFor(new RegExp(`<stream:error><${c.condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>`))).not.toBeNull();
      expect(await raw.waitClosed()).toBe(true);
      expect(alice().received.some((m) => m.body.includes(`hostile-${i}`) || m.body === `after-${i}`)).toBe(false);
      expect(events.some((e) => e.kind === "xmpp.refused" && e.detail.startsWith(`stream error ${c.condition}`))).toBe(true);
    }, 30_000);
  }

  it("XMPP-3: a DOCTYPE before the stream header gets a header and <restricted-xml/>", async () => {
    const raw = await RawStream.connect(edge.address, edge.port);
    raw.write(`<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>${S2S_HEADER("jabber.test", "contoso.test").slice(21)}`);
    expect(await raw.waitFor(/<stream:stream[^>]*>.*<stream:error><restricted-xml /s)).not.toBeNull();
    expect(await raw.waitClosed()).toBe(true);
  });

  it("XMPP-3: a stanza on a stream that never authenticated gets <not-authorized/> and is not delivered", async () => {
    const raw = await RawStream.connect(edge.address, edge.port);
    raw.write(S2S_HEADER("jabber.test", "contoso.test") + MSG("unauthenticated"));
    expect(await raw.waitFor(/<stream:error><not-authorized /)).not.toBeNull();
    expect(alice().received.some((m) => m.body === "unauthenticated")).toBe(false);
  });

  it("XMPP-1: a stream to a domain we do not serve gets <host-unknown/>", async () => {
    const raw = await RawStream.connect(edge.address, edge.port);
    raw.write(S2S_HEADER("jabber.test", "fabrikam.test"));
    expect(await raw.waitFor(/<stream:error><host-unknown /)).not.toBeNull();
  });

  it("XMPP-3: a forged dialback key is answered type='invalid' and <not-authorized/>", async () => {
    const raw = await RawStream.connect(edge.address, edge.port);
    raw.write(S2S_HEADER("jabber.test", "contoso.test"));
    await raw.waitFor(/<\/stream:features>/);
    raw.write(`<db:result from='jabber.test' to='contoso.test'>${"0".repeat(64)}</db:result>`);
    expect(await raw.waitFor(/<db:result[^>]*type='invalid'/)).not.toBeNull();
    expect(await raw.waitFor(/<stream:error><not-authorized /)).not.toBeNull();
  });

  it("XMPP-3: bytes injected after <starttls/> (before the TLS handshake) drop the connection", async () => {
    const raw = await RawStream.connect(edge.address, edge.port);
    raw.write(S2S_HEADER("jabber.test", "contoso.test"));
    await raw.waitFor(/<\/stream:features>/);
    raw.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>${MSG("injected")}`);
    expect(await raw.waitClosed()).toBe(true);
    expect(events.some((e) => e.kind === "xmpp.refused" && /STARTTLS injection/.test(e.detail))).toBe(true);
    expect(alice().received.some((m) => m.body === "injected")).toBe(false);
  });
});
