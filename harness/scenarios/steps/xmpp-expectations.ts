/**
 * XMPP expectations the shared ones cannot say (docs/scenarios.md):
 * - `expect stream error policy-violation`: our edge refused the stream with that
 *   condition (RFC 6120 4.9.3), read from the action's streamError;
 * - `expect stanza error forbidden`: the sender got that stanza error back (8.3.3);
 * - `expect alice sees romeo away`: what one side shows now for the other's presence
 *   (XMPP-4), waiting (bounded) for it to arrive. Short names resolve to the one user
 *   of the topology with that local part.
 */
import type { ExpectationKind, Check, ActionResult } from "../types.ts";
import type { World } from "../../world/world.ts";
import { xmppScene, waitUntil } from "./xmpp-scene.ts";
import { PRESENCE_WORDS, presenceWord, stateOfAvailability, stateOfStanza, type PresenceState } from "./xmpp-presence.ts";

function need(last: ActionResult | undefined): ActionResult {
  if (!last) throw new RangeError("an expectation needs an action before it");
  return last;
}

/** "alice" -> alice@contoso.test: the one user (ours or a partner's) with that local part. */
export function resolveUser(world: World, name: string): string {
  const n = name.toLowerCase().replace(/^sip:/, "");
  if (n.includes("@")) return n;
  const all = [...world.topology.organisation.users.map((u) => u.uri), ...world.topology.partners.flatMap((p) => p.users)].map((u) => u.replace(/^sip:/, "").toLowerCase());
  const hits = all.filter((u) => u.split("@")[0] === n);
  if (hits.length !== 1) throw new RangeError(`'${name}' names ${hits.length === 0 ? "no user" : `${hits.length} users (${hits.join(", ")})`} of the topology: write the full address`);
  return hits[0]!;
}

/** What `observer` shows now for `subject`'s presence, or undefined if nothing arrived. */
function shownState(world: World, observer: string, subject: string): PresenceState | undefined {
  const scene = xmppScene(world);
  if (scene.isInternal(observer)) {
    const p = scene.gateway.users.user(observer).presences.filter((x) => x.from.replace(/^sip:/, "").toLowerCase() === subject).at(-1);
    return p ? stateOfAvailability(p.availability) : undefined;
  }
  const u = scene.startedUser(observer);
  if (!u) throw new RangeError(`${observer} never signed in in this scenario, so it cannot have seen anything`);
  const states = u.received.filter((s) => (s.attrs.from ?? "").toLowerCase().split("/")[0] === subject).map(stateOfStanza).filter((s) => s !== undefined);
  return states.at(-1);
}

export const XMPP_EXPECTATIONS: ExpectationKind[] = [
  {
    name: "xmpp.error",
    example: "expect stream error policy-violation / expect stanza error forbidden",
    pattern: /^expect (stream|stanza) error ([a-z-]+)$/i,
    check(_ctx, last, m): Check {
      const l = need(last);
      const field = m[1]!.toLowerCase() === "stream" ? "streamError" : "stanzaError";
      const got = l.data[field];
      return { ok: got === m[2]!.toLowerCase(), detail: `${got === undefined ? `no ${m[1]!.toLowerCase()} error` : `${m[1]!.toLowerCase()} error ${String(got)}`}: ${l.summary}` };
    },
  },
  {
    name: "xmpp.sees",
    example: "expect alice sees romeo away",
    pattern: new RegExp(`^expect (\\S+) sees (\\S+) (${PRESENCE_WORDS})$`, "i"),
    async check(ctx, _last, m): Promise<Check> {
      const [observer, subject] = [resolveUser(ctx.world, m[1]!), resolveUser(ctx.world, m[2]!)];
      const wanted = presenceWord(m[3]!).state;
      let now: PresenceState | undefined;
      const ok = await waitUntil(() => (now = shownState(ctx.world, observer, subject)) === wanted, 5000);
      return { ok, detail: `${observer} shows ${subject} as ${now ?? "(no presence received)"}${ok ? "" : `, expected ${wanted}`}` };
    },
  },
];
