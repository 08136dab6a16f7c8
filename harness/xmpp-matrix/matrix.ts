/**
 * The XMPP negotiation matrix (XMPP-2, XMPP-3): our XMPP allowed-partner entry for
 * jabber.test (TlsNegotiation x SaslNegotiation x SupportDialbackNegotiation) against
 * what a real Prosody offers (profiles of partners/xmpp/prosody.ts). Each cell sends
 * one IM each way through a running world and reports how each direction
 * authenticated, or why it was refused, from the world's own events.
 */
import type { EdgeEvent } from "../../edge/events/types.ts";
import type { XmppNegotiation } from "../../edge/policy/config.ts";
import type { World } from "../world/world.ts";
import type { ProsodyProfile } from "../../partners/xmpp/prosody.ts";
import { XmppUser } from "../../partners/xmpp/xmpp-user.ts";
import { federationConfigFromTopology } from "../topology/federation-config.ts";
import { C2S_PORT, PARTNER_PASSWORD, startXmppPartner } from "../world/xmpp-partners-service.ts";
import type { XmppProxyService } from "../world/xmpp-proxy-service.ts";
import type { XmppGatewayService } from "../world/xmpp-gateway-service.ts";

export interface OurSide {
  tls: XmppNegotiation;
  sasl: XmppNegotiation;
  dialback: boolean;
}

export interface CellResult {
  ours: OurSide;
  profile: ProsodyProfile;
  /** Prosody -> us. */
  inbound: string;
  /** us -> Prosody. */
  outbound: string;
}

export const PROSODY_PROFILES: { profile: ProsodyProfile; offers: string }[] = [
  { profile: "dialback", offers: "no TLS; dialback" },
  { profile: "tls-dialback", offers: "STARTTLS, does not trust our CA; dialback" },
  { profile: "tls-sasl", offers: "STARTTLS, trusts our CA; SASL EXTERNAL, dialback" },
  { profile: "tls-secure", offers: "as tls-sasl with s2s_secure_auth (certificates only)" },
];

const LEVELS: XmppNegotiation[] = ["Required", "Optional", "NotSupported"];

export function allOurSides(): OurSide[] {
  return [true, false].flatMap((dialback) => LEVELS.flatMap((tls) => LEVELS.map((sasl) => ({ tls, sasl, dialback }))));
}

const PARTNER = "jabber.test";

/** Checks `cond` every 20 ms until it holds or `timeoutMs` passes. */
async function pollUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Summarises how a direction ended, from the events of the cell. */
function outcome(events: EdgeEvent[], delivered: boolean, authPrefix: string): string {
  const auth = events.find((e) => e.kind === "xmpp.stream" && e.detail.startsWith(authPrefix));
  if (delivered && auth && "detail" in auth) {
    const how = /SASL EXTERNAL/.test(auth.detail) ? "SASL EXTERNAL" : "dialback";
    return `${how}${/over TLS/.test(auth.detail) ? " + TLS" : ""}`;
  }
  const refused = events.find((e) => e.kind === "xmpp.refused" && /stream error/.test(e.detail) && (e.host.startsWith("edge")));
  if (refused && "detail" in refused) return `refused by us: ${refused.detail.replace(/^stream error /, "").replace(/: .*?: /, ": ").slice(0, 90)} (${refused.rules.join(", ")})`;
  if (!delivered) return "refused by Prosody (no stream error from us)";
  return "delivered (method not traced)";
}

export async function runMatrix(world: World, ours: OurSide[], profiles: ProsodyProfile[], onCell?: (r: CellResult) => void): Promise<CellResult[]> {
  const proxies = (world.service("xmpp-proxy") as XmppProxyService).proxies;
  const gw = world.service("xmpp-gateway") as XmppGatewayService;
  const alice = gw.users.user("alice@contoso.test");
  const events: EdgeEvent[] = [];
  const unsubscribe = world.bus.subscribe((e) => events.push(e));
  const results: CellResult[] = [];
  let n = 0;
  try {
    for (const profile of profiles) {
      const prosody = await startXmppPartner(world.context, PARTNER, "prosody", { profile });
      const romeo = new XmppUser({ address: prosody.address, port: C2S_PORT, domain: PARTNER, username: "romeo", password: PARTNER_PASSWORD, caFile: world.pki.caFile, resource: `matrix-${profile}` });
      try {
        await romeo.start();
        for (const side of ours) {
          const config = federationConfigFromTopology(world.topology);
          const entry = config.xmppAllowedPartners.find((p) => p.Identity === PARTNER);
          if (!entry) throw new RangeError(`the topology has no XMPP allowed partner ${PARTNER}`);
          Object.assign(entry, { TlsNegotiation: side.tls, SaslNegotiation: side.sasl, SupportDialbackNegotiation: side.dialback });
          for (const p of proxies) p.reconfigure(config);
          await new Promise((r) => setTimeout(r, 150)); // let both ends see the closed streams
          const id = ++n;
          let from = events.length;
          romeo.message("alice@contoso.test", `in-${id}`, { id: `in-${id}` });
          const inOk = await pollUntil(() => alice.received.some((m) => m.body === `in-${id}`) || romeo.received.some((s) => s.attrs.id === `in-${id}`), 12_000);
          const inbound = outcome(events.slice(from), inOk && alice.received.some((m) => m.body === `in-${id}`), `${PARTNER} authenticated`);
          from = events.length;
          const sent = gw.gateway.sendIm("sip:alice@contoso.test", romeo.jid, `out-${id}`);
          if (!sent.ok) throw new Error(`the gateway refused the matrix IM: ${sent.reason}`);
          await pollUntil(() => romeo.received.some((s) => s.body === `out-${id}`) || alice.errors.length > 0, 12_000);
          const outOk = romeo.received.some((s) => s.body === `out-${id}`);
          const outbound = outcome(events.slice(from), outOk, `contoso.test -> ${PARTNER} authenticated`);
          alice.errors.length = 0;
          const r = { ours: side, profile, inbound, outbound };
          results.push(r);
          onCell?.(r);
        }
      } finally {
        await romeo.stop();
        await prosody.stop();
      }
    }
  } finally {
    unsubscribe();
  }
  return results;
}
