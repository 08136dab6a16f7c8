/**
 * What the XMPP sentences share within one scenario's world (docs/scenarios.md):
 * which implementation runs each XMPP partner domain (edgesim's minimal server or real
 * Prosody), the @xmpp/client users signed in so far (one process each), what internal
 * users received, and the trace of one action. Everything started here is stopped
 * when the world stops: each partner entry in the `xmpp-partners` service is replaced
 * by one whose stop() first stops that domain's users, then its server.
 */
import type { World } from "../../world/world.ts";
import type { ScenarioContext } from "../types.ts";
import type { EdgeEvent } from "../../../edge/events/types.ts";
import { C2S_PORT, PARTNER_PASSWORD, startXmppPartner, type StartedXmppPartner, type XmppPartnerKind, type XmppPartnersService } from "../../world/xmpp-partners-service.ts";
import type { XmppGatewayService } from "../../world/xmpp-gateway-service.ts";
import { frontEndOf } from "../../world/frontend-service.ts";
import { XmppUser } from "../../../partners/xmpp/xmpp-user.ts";
import type { ProsodyProfile } from "../../../partners/xmpp/prosody.ts";
import { domainOf } from "../../explain/offline.ts";

/** How long a sentence waits for a delivery, a bounce or a presence (bounded: 2 noisy cores). */
export const XMPP_WAIT_MS = 15_000;
const SPEC_RULE = /\b(?:CERT|DNS|FED|HLB|MOB|PIC|PORT|RP|XMPP)-\d+\b/g;

interface Domain {
  entry: StartedXmppPartner;
  /** The Prosody profile, when Prosody runs it. */
  profile?: ProsodyProfile;
  users: Map<string, XmppUser>;
}

/** One XMPP message or presence an internal user received, whichever side delivered it. */
export interface InternalItem {
  from: string;
  text: string;
  /** Where it landed: the user's SIP client through the front end, or the gateway's own mailbox. */
  where: string;
}

const scenes = new WeakMap<World, XmppScene>();

export function xmppScene(world: World): XmppScene {
  let s = scenes.get(world);
  if (!s) scenes.set(world, (s = new XmppScene(world)));
  return s;
}

export function rulesIn(text: string | undefined): string[] {
  return text?.match(SPEC_RULE) ?? [];
}

/** Resolves after `cond()` holds or `timeoutMs` passed; says which. */
export async function waitUntil(cond: () => boolean, timeoutMs = XMPP_WAIT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** After our edge refused a stream, how long the sender may take to hear of it (a bounce). */
const BOUNCE_GRACE_MS = 3000;
let seq = 0;
/** Stanza ids and markers unique within this process. */
export const nextStanzaId = (): string => `scenario-${process.pid}-${++seq}`;

/** Waits until `done()` holds, or our edge refused a stream and the sender had BOUNCE_GRACE_MS to hear of it. */
export async function settle(ctx: ScenarioContext, first: number, done: () => boolean): Promise<void> {
  const scene = xmppScene(ctx.world);
  let refusedAt: number | undefined;
  await waitUntil(() => {
    if (done()) return true;
    if (scene.traceOf(ctx.events.slice(first)).streamError === undefined) return false;
    refusedAt ??= Date.now();
    return Date.now() - refusedAt > BOUNCE_GRACE_MS;
  });
}

export class XmppScene {
  private readonly domains = new Map<string, Domain>();
  /** Internal user -> the partner users whose subscription to them the gateway approved in this scenario. */
  readonly subscribers = new Map<string, Set<string>>();
  private readonly service: XmppPartnersService;

  constructor(private readonly world: World) {
    this.service = world.service("xmpp-partners") as XmppPartnersService;
    for (const [i, entry] of this.service.partners.entries()) this.adopt(i, entry);
  }

  get gateway(): XmppGatewayService {
    return this.world.service("xmpp-gateway") as XmppGatewayService;
  }

  isInternal(address: string): boolean {
    return this.world.topology.organisation.sipDomains.includes(domainOf(address));
  }

  /** Our edge servers and the front end: where refusals "by us" come from. */
  isOurHost(host: string): boolean {
    const org = this.world.topology.organisation;
    return org.edgePool.servers.includes(host) || org.frontEndPool.servers.includes(host);
  }

  kindOf(domain: string): { kind: XmppPartnerKind; profile?: ProsodyProfile } {
    const d = this.domain(domain);
    return { kind: d.entry.kind, ...(d.profile ? { profile: d.profile } : {}) };
  }

  /** The planned address the partner domain's server runs on (its first edge). */
  addressOf(domain: string): string {
    return this.domain(domain).entry.address;
  }

  /** Runs `domain` on this implementation (stops its users and the one running now); false when it already did. */
  async runOn(domain: string, kind: XmppPartnerKind, profile?: ProsodyProfile): Promise<boolean> {
    const d = this.domain(domain);
    const wanted = kind === "prosody" ? (profile ?? "tls-sasl") : undefined;
    if (d.entry.kind === kind && (kind === "mini" || (d.profile ?? "tls-sasl") === wanted)) return false;
    const i = this.service.partners.findIndex((p) => p.domain === domain);
    await this.service.partners[i]!.stop();
    this.service.partners[i] = { ...d.entry, stop: async () => undefined };
    const started = await startXmppPartner(this.world.context, domain, kind, wanted ? { profile: wanted } : {});
    this.adopt(i, started, wanted);
    return true;
  }

  /** The @xmpp/client user for a partner address, signed in on first use. */
  async user(address: string): Promise<XmppUser> {
    const [local, domain] = [address.split("@")[0]!, domainOf(address)];
    const d = this.domain(domain);
    const known = this.world.topology.partners.find((p) => p.domain === domain)?.users ?? [];
    if (!known.some((u) => u.replace(/^sip:/, "").toLowerCase() === address)) throw new RangeError(`${domain} has no user ${address} in the topology (users: ${known.join(", ")})`);
    let u = d.users.get(address);
    if (!u) {
      u = new XmppUser({ address: d.entry.address, port: C2S_PORT, domain, username: local, password: PARTNER_PASSWORD, caFile: this.world.pki.caFile, resource: "scenario" });
      d.users.set(address, u);
      try {
        await u.start();
      } catch (err) {
        d.users.delete(address);
        throw err;
      }
    }
    return u;
  }

  /** A user signed in by an earlier sentence, if any (expectations do not sign anyone in). */
  startedUser(address: string): XmppUser | undefined {
    return this.domains.get(domainOf(address))?.users.get(address);
  }

  /** IMs an internal user received from XMPP: the front end's SIP inbox (homed and remote users) and the gateway's mailbox. */
  imsOf(uri: string): InternalItem[] {
    const out: InternalItem[] = this.gateway.users.user(uri).received.map((m) => ({ from: m.from, text: m.body, where: "the gateway's mailbox" }));
    if (this.world.context.running.has("frontend")) {
      try {
        out.push(...frontEndOf(this.world).user(uri).inbox.received.map((m) => ({ from: m.from, text: m.text, where: "the front end (SIP MESSAGE)" })));
      } catch {
        // not a user of the pool (e.g. nobody@contoso.test): only the gateway's mailbox can hold anything
      }
    }
    return out;
  }

  /** Every internal user the topology has, with what reached them from XMPP (for "nothing reached internal users"). */
  allInternalIms(): { uri: string; items: InternalItem[] }[] {
    return this.world.topology.organisation.users.map((u) => ({ uri: u.uri, items: this.imsOf(u.uri) }));
  }

  /** Our side's view of one action: rules, the hosts that handled it, our first stream error. */
  traceOf(events: EdgeEvent[]): { rules: string[]; via: string[]; auth: string[]; streamError?: string; streamErrorText?: string } {
    const ours = events.filter((e) => this.isOurHost(e.host) && (e.kind.startsWith("xmpp.") || e.kind === "policy.verdict"));
    const details = ours.map((e) => ("detail" in e ? String(e.detail) : ""));
    const refusal = details.map((d) => /^stream error (\S+): (.*)$/.exec(d)).find((m) => m !== null);
    return {
      rules: [...new Set(ours.flatMap((e) => e.rules))],
      // New s2s streams this action needed, as our edge traced them: "jabber.test authenticated by SASL EXTERNAL ..."
      auth: [...new Set(details.filter((d) => / authenticated by /.test(d)))],
      via: [...new Set(events.filter((e) => e.kind.startsWith("xmpp.")).map((e) => e.host))],
      ...(refusal ? { streamError: refusal[1]!, streamErrorText: refusal[2]! } : {}),
    };
  }

  private domain(domain: string): Domain {
    const d = this.domains.get(domain);
    if (!d) throw new RangeError(`${domain} is not an XMPP partner of this topology (XMPP partners: ${[...this.domains.keys()].join(", ") || "none"})`);
    return d;
  }

  private adopt(i: number, entry: StartedXmppPartner, profile?: ProsodyProfile): void {
    const users = new Map<string, XmppUser>();
    const envProfile = entry.kind === "prosody" && !profile ? ("tls-sasl" as const) : profile;
    this.domains.set(entry.domain, { entry, users, ...(envProfile ? { profile: envProfile } : {}) });
    this.service.partners[i] = {
      ...entry,
      stop: async () => {
        await Promise.all([...users.values()].map((u) => u.stop()));
        users.clear();
        await entry.stop();
      },
    };
  }
}
