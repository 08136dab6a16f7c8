/**
 * Test helpers for the XMPP stream layer: run a parser over chunks and record its
 * events in a comparable form (stanzas serialised, errors as condition + where).
 */
import { XmppStreamParser } from "../../../edge/wire/xmpp/stream-parser.ts";
import type { XmppStreamParserOptions } from "../../../edge/wire/xmpp/stream-parser.ts";
import { serialize } from "../../../edge/wire/xmpp/xml-serialize.ts";

export type RecordedEvent =
  | { kind: "streamStart"; attrs: Record<string, string> }
  | { kind: "stanza"; xml: string }
  | { kind: "streamEnd" }
  | { kind: "error"; condition: string | number | undefined; where: string };

export function record(parser: XmppStreamParser): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  parser.on("streamStart", (attrs) => events.push({ kind: "streamStart", attrs: { ...attrs } }));
  parser.on("stanza", (element) => events.push({ kind: "stanza", xml: serialize(element) }));
  parser.on("streamEnd", () => events.push({ kind: "streamEnd" }));
  parser.on("error", (error) => events.push({ kind: "error", condition: error.wireCode, where: error.where }));
  return events;
}

/** Parses `chunks` pushed one after the other with a fresh parser. */
export function parseChunks(chunks: readonly (Uint8Array | string)[], options?: XmppStreamParserOptions): RecordedEvent[] {
  const parser = new XmppStreamParser(options);
  const events = record(parser);
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

/** Every two-chunk split of `bytes`, plus the one-byte-at-a-time feed. */
export function* splits(bytes: Buffer): Generator<{ label: string; chunks: Buffer[] }> {
  for (let cut = 0; cut <= bytes.length; cut++) {
    yield { label: `split at byte ${cut}`, chunks: [bytes.subarray(0, cut), bytes.subarray(cut)] };
  }
  const single: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) single.push(bytes.subarray(i, i + 1));
  yield { label: "one byte at a time", chunks: single };
}

export const S2S_HEADER =
  "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='fabrikam.com' to='contoso.com' version='1.0'>";
