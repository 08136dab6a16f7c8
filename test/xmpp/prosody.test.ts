/**
 * Real Prosody as the XMPP partner jabber.test (XMPP-1..4, DNS-3): an @xmpp/client
 * user at Prosody talks to alice@contoso.test through our XMPP proxy and gateway,
 * with SASL EXTERNAL (XEP-0178) both ways when Prosody trusts the sandbox CA, and
 * dialback (XEP-0220) both ways when it runs without TLS: Prosody verifies our keys
 * on its own outgoing stream to us, we verify its keys on a connection of our own.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { World } from "../../harness/world/world.ts";
import type { EdgeEvent } from "../../edge/events/types.ts";
import { topologyAt, startTestWorld } from "../kit/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { XmppUser } from "../../partners/xmpp/xmpp-user.ts";
import { PARTNER_PASSWORD, C2S_PORT, startXmppPartner, type StartedXmppPartner } from "../../harness/world/xmpp-partners-service.ts";
import type { XmppGatewayService } from "../../harness/world/xmpp-gateway-service.ts";
import type { ProsodyProfile } from "../../partners/xmpp/prosody.ts";

const it = peerIt(PEERS.prosody);

const PROFILES: { profile: ProsodyProfile; method: RegExp; name: string }[] = [
  { profile: "tls-sasl", method: /SASL EXTERNAL/, name: "SASL EXTERNAL both directions (Prosody trusts the sandbox CA)" },
  { profile: "dialback", method: /dialback/, name: "dialback both directions (Prosody without TLS)" },
];

describe("XMPP federation with real Prosody", () => {
  let world: World;
  let gw: XmppGatewayService;
  const events: EdgeEvent[] = [];

  beforeAll(async () => {
    world = await startTestWorld(topologyAt(ZONE_BASE.xmppProsody), { services: ["dns", "hlb", "xmpp-proxy", "xmpp-gateway"] });
    world.bus.subscribe((e) => events.push(e));
    gw = world.service("xmpp-gateway") as XmppGatewayService;
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  for (const [i, p] of PROFILES.entries()) {
    it(`XMPP-3, XMPP-4, DNS-3: ${p.name}: romeo's IM reaches alice, her reply reaches him, presence both ways`, async () => {
      const from = events.length;
      let prosody: StartedXmppPartner | undefined;
      let romeo: XmppUser | undefined;
      try {
        prosody = await startXmppPartner(world.context, "jabber.test", "prosody", { profile: p.profile });
        romeo = new XmppUser({ address: prosody.address, port: C2S_PORT, domain: "jabber.test", username: "romeo", password: PARTNER_PASSWORD, caFile: world.pki.caFile, resource: `r${i}` });
        await romeo.start();
        const alice = gw.users.user("alice@contoso.test");
        romeo.message("alice@contoso.test", `hello from prosody ${p.profile}`);
        await expect.poll(() => alice.received.find((m) => m.body === `hello from prosody ${p.profile}`), { timeout: 20_000 }).toBeDefined();
        const got = alice.received.find((m) => m.body === `hello from prosody ${p.profile}`)!;
        expect(gw.gateway.sendIm("sip:alice@contoso.test", got.xmppJid, `reply ${p.profile}`).ok).toBe(true);
        expect((await romeo.waitFor((s) => s.name === "message" && s.body === `reply ${p.profile}`, 20_000))?.attrs.from).toBe("alice@contoso.test");
        romeo.presence({ to: "alice@contoso.test", show: "dnd", status: `busy ${p.profile}` });
        await expect.poll(() => alice.presences.find((x) => x.note === `busy ${p.profile}`)?.availability, { timeout: 15_000 }).toBe(9500);
        gw.gateway.publishPresence("sip:alice@contoso.test", 15500, `away ${p.profile}`, [got.xmppJid]);
        expect(await romeo.waitFor((s) => s.name === "presence" && s.status === `away ${p.profile}` && s.show === "away", 15_000)).toBeDefined();
        const mine = events.slice(from).filter((e) => e.kind === "xmpp.stream" && /authenticated by/.test(e.detail)).map((e) => ("detail" in e ? e.detail : ""));
        expect(mine.find((d) => d.startsWith("contoso.test -> jabber.test"))).toMatch(p.method);
        expect(mine.find((d) => d.startsWith("jabber.test authenticated"))).toMatch(p.method);
        if (p.profile === "dialback") {
          // Prosody, as receiving server, asked us (authoritative for contoso.test) about our key on a stream of its own.
          expect(events.slice(from).some((e) => e.kind === "xmpp.stream" && e.detail === "db:verify from jabber.test for contoso.test: valid")).toBe(true);
        }
      } finally {
        await romeo?.stop();
        await prosody?.stop();
      }
    }, 60_000);
  }
});
