/**
 * Presence words in scenario sentences, and what each side shows for them (XMPP-4):
 * XMPP's <show/> and type='unavailable' (RFC 6121 4.7.2.1) and Lync availability
 * codes, reduced to four states a person reads: available, away, dnd, unavailable
 * (the gateway's own mapping, harness/org/xmpp-gateway/translate.ts).
 */
import type { ReceivedStanza } from "../../../partners/xmpp/xmpp-user.ts";
import { AVAILABILITY } from "../../org/xmpp-gateway/translate.ts";

export type PresenceState = "available" | "away" | "dnd" | "unavailable";

/** The words a sentence may use, for its pattern. */
export const PRESENCE_WORDS = "available|online|chat|away|xa|brb|busy|dnd|offline|unavailable";

const WORDS: Record<string, { state: PresenceState; availability: number; show?: string; unavailable?: true }> = {
  available: { state: "available", availability: AVAILABILITY.online },
  online: { state: "available", availability: AVAILABILITY.online },
  chat: { state: "available", availability: AVAILABILITY.online, show: "chat" },
  away: { state: "away", availability: AVAILABILITY.away, show: "away" },
  xa: { state: "away", availability: AVAILABILITY.away, show: "xa" },
  brb: { state: "away", availability: AVAILABILITY.beRightBack, show: "away" },
  busy: { state: "dnd", availability: AVAILABILITY.busy, show: "dnd" },
  dnd: { state: "dnd", availability: AVAILABILITY.doNotDisturb, show: "dnd" },
  offline: { state: "unavailable", availability: AVAILABILITY.offline, unavailable: true },
  unavailable: { state: "unavailable", availability: AVAILABILITY.offline, unavailable: true },
};

export function presenceWord(word: string): (typeof WORDS)[string] {
  const w = WORDS[word.toLowerCase()];
  if (!w) throw new RangeError(`'${word}' is not a presence (one of ${PRESENCE_WORDS.replace(/\|/g, ", ")})`);
  return w;
}

/** What an internal user sees for a Lync availability code (MS-PRES ranges). */
export function stateOfAvailability(a: number): PresenceState {
  if (a >= AVAILABILITY.offline) return "unavailable";
  if (a >= AVAILABILITY.beRightBack) return "away";
  if (a >= AVAILABILITY.busy) return "dnd";
  return "available";
}

/** What an XMPP user sees for a presence stanza; undefined for subscription stanzas and errors. */
export function stateOfStanza(s: ReceivedStanza): PresenceState | undefined {
  if (s.name !== "presence") return undefined;
  if (s.attrs.type === "unavailable") return "unavailable";
  if (s.attrs.type !== undefined) return undefined;
  if (s.show === "away" || s.show === "xa") return "away";
  if (s.show === "dnd") return "dnd";
  return "available";
}
