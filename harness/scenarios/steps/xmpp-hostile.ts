/**
 * A hostile XMPP partner server for scenarios (XMPP-3, RFC 6120 4.9 and 11): a raw
 * server-to-server stream from the partner's own address to our XMPP proxy, found the
 * way a partner finds it (`_xmpp-server._tcp` SRV, DNS-3), authenticated by dialback
 * with the partner server's own key (XEP-0220: our proxy asks the partner's
 * authoritative server, which vouches for it), then used to send bytes no honest
 * server sends. Only edgesim's minimal server can be impersonated this way: its
 * dialback secret is `<domain>-dialback` (partners/xmpp/mini-server.ts).
 */
import { RawXmppStream } from "../../clients/raw-xmpp-stream.ts";
import type { World } from "../../world/world.ts";
import { PORTS } from "../../world/ports.ts";
import { dialFirst, xmppTargets } from "../../../edge/roles/xmpp-proxy/dial.ts";
import { dialbackKey } from "../../../edge/roles/xmpp-proxy/dialback-key.ts";

export type HostilePayload = "doctype" | "oversized" | "entity" | "malformed";

/** What each hostile input is, for the sentence and the report. */
export const HOSTILE_INPUTS: Record<string, HostilePayload> = {
  "a doctype": "doctype",
  "an oversized stanza": "oversized",
  "an entity": "entity",
  "malformed xml": "malformed",
};

const message = (from: string, to: string, body: string) => `<message from='${from}' to='${to}' type='chat'><body>${body}</body></message>`;

/** The bytes for one hostile input, carrying `marker` so a delivery of any of it can be recognised. */
export function hostileBytes(kind: HostilePayload, from: string, to: string, marker: string): string {
  switch (kind) {
    case "doctype":
      return `<!DOCTYPE lol [<!ENTITY lol 'lol'>]>${message(from, to, marker)}`;
    case "oversized":
      return message(from, to, `${marker} ${"A".repeat(70_000)}`);
    case "entity":
      return message(from, to, `${marker} &lol;`);
    case "malformed":
      return `<message from='${from}' to='${to}' type='chat'><body>${marker}</bdy></message>`;
  }
}

export class HostileStream extends RawXmppStream {
  /** Opens a stream from `partner` (on `partnerAddress`) to `ours` and authenticates it by dialback. */
  static async open(world: World, partner: string, partnerAddress: string, ours: string): Promise<HostileStream> {
    const resolver = world.context.resolverFor("external", partnerAddress);
    const targets = await xmppTargets(resolver, ours, undefined, world.context.mapPort(PORTS.xmppS2s));
    const { socket } = await dialFirst(resolver, targets, partnerAddress, 5000);
    const s = new HostileStream(socket);
    s.write(`<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${partner}' to='${ours}' version='1.0'>`);
    const id = (await s.waitFor(/<stream:stream[^>]* id=['"]([^'"]+)['"]/))?.[1];
    if (!id || !(await s.waitFor(/<\/stream:features>|<stream:features\/>/))) throw s.failure(`${ours} sent no stream header with an id and features to ${partner}`);
    s.write(`<db:result from='${partner}' to='${ours}'>${dialbackKey(`${partner}-dialback`, ours, partner, id)}</db:result>`);
    if (!(await s.waitFor(/<db:result[^>]*type=['"]valid['"]/))) throw s.failure(`${ours} did not accept ${partner}'s dialback key (only edgesim's own XMPP server can be impersonated: say "${partner} runs on edgesim's XMPP server" first)`);
    return s;
  }

  /** The condition of the stream error we got, once the stream closed (bounded). */
  async streamError(timeoutMs = 8000): Promise<string | undefined> {
    const m = await this.waitFor(/<stream:error>\s*<([a-z-]+)/, timeoutMs);
    return m?.[1];
  }

  static message = message;

  private failure(what: string): Error {
    this.destroy();
    return new Error(`${what}; it answered: ${this.text.slice(0, 600) || "(nothing)"}`);
  }
}
