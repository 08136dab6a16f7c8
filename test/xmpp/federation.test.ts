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

const SERVICES = ["dns", "hlb", "xmpp-proxy", "xmpp-gateway", "xmpp-partners"];

describe("XMPP federation with edgesim's partner server", () => {
  let world: World;
  let romeo: XmppUser;
  let gw: XmppGatewayService;
  const events: EdgeEvent[] = [];

  beforeAll(async () => {
    const t = topologyAt(ZONE_BASE.xmppMini, "contoso", (t) => {
      t.organisation.users.push({ uri: "frank@contoso.test", displayName: "Frank", remote: false, contacts: [], policy: "NoFederation", homedOnSba: false } as never);
    });
    world = await startTestWorld(t, { services: SERVICES });
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
});
