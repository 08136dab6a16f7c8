/**
 * The gateway on the real front-end pool (XMPP-4, FED-9): an XMPP IM for a homed
 * user lands in that user's SIP inbox at the front end; one the pool cannot deliver
 * is answered to the XMPP sender with a stanza error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { topologyAt, startTestWorld } from "../kit/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { XmppUser } from "../../partners/xmpp/xmpp-user.ts";
import { PARTNER_PASSWORD, C2S_PORT } from "../../harness/world/xmpp-partners-service.ts";
import { frontEndOf } from "../../harness/world/frontend-service.ts";

describe("XMPP gateway on the front-end pool", () => {
  let world: World;
  let romeo: XmppUser;

  beforeAll(async () => {
    world = await startTestWorld(topologyAt(ZONE_BASE.xmppFrontEnd, "contoso", (t) => (t.organisation.edgePool.loadBalancing = "dns")), { services: ["dns", "frontend", "xmpp-proxy", "xmpp-gateway", "xmpp-partners"] });
    romeo = new XmppUser({ address: world.plan.byHost("jabber-xmpp1").address, port: C2S_PORT, domain: "jabber.test", username: "romeo", password: PARTNER_PASSWORD, caFile: world.pki.caFile });
    await romeo.start();
  }, 60_000);

  afterAll(async () => {
    await romeo?.stop();
    await world?.stop();
  });

  it("XMPP-4: an IM from an XMPP contact reaches carol's inbox at the front end as text/plain from romeo@jabber.test", async () => {
    const carol = frontEndOf(world).user("carol@contoso.test");
    romeo.message("carol@contoso.test", "hello carol");
    const m = await carol.inbox.next(15_000, "carol's inbox");
    expect(m).toMatchObject({ text: "hello carol" });
    expect(m.from).toContain("romeo@jabber.test");
    expect(m.contentType).toMatch(/text\/plain/);
  }, 30_000);

  it("XMPP-1, XMPP-4: carol's SIP client sends to an XMPP contact; the front end hands it to the gateway, not to SIP federation", async () => {
    const carol = frontEndOf(world).user("carol@contoso.test");
    const r = await carol.sendMessage("romeo@jabber.test", "hello romeo, from SIP");
    expect(r).toMatchObject({ status: 200 });
    const m = await romeo.waitFor((s) => s.name === "message" && s.body === "hello romeo, from SIP", 15_000);
    expect(m, "romeo never received the IM").toBeDefined();
    expect(m?.attrs.from).toContain("carol@contoso.test");
  }, 30_000);

  it("FED-9, XMPP-5: the gateway refuses IM to XMPP contacts from a user without EnableXmppAccess and from a user on an SBA", async () => {
    const dave = await frontEndOf(world).user("dave@contoso.test").sendMessage("romeo@jabber.test", "hi");
    expect(dave.status).toBe(403);
    expect(dave.diagnostics?.text).toMatch(/^FED-9: /);
    const erin = await frontEndOf(world).user("erin@contoso.test").sendMessage("romeo@jabber.test", "hi");
    expect(erin.status).toBe(403);
    expect(erin.diagnostics?.text).toMatch(/^XMPP-5: /);
  }, 30_000);

  it("XMPP-4: an IM for alice, a remote user who is not signed in, is answered recipient-unavailable", async () => {
    romeo.message("alice@contoso.test", "are you there", { id: "fe-1" });
    const err = await romeo.waitFor((s) => s.attrs.id === "fe-1" && s.attrs.type === "error", 15_000);
    expect(err?.errorCondition).toBe("recipient-unavailable");
    expect(err?.errorText).toContain("480");
  }, 30_000);
});
