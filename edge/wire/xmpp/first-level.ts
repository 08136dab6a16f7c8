/**
 * Which first-level children of a stream (the elements directly inside
 * <stream:stream>) the stream layer accepts, and the stream error for the others.
 *
 * RFC 6120 4.9.3.24 unsupported-stanza-type: a first-level child whose namespace or
 * name (in that namespace) the receiver does not understand. RFC 6120 4.9.3.10
 * invalid-namespace: content qualified by a content namespace other than the
 * stream's (a jabber:client stanza on a jabber:server stream), or by no namespace.
 */
import { NS } from "./namespaces.ts";
import type { StreamErrorCondition } from "./stream-error.ts";

const KNOWN: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [NS.streams, new Set(["features", "error"])], // RFC 6120 4.3.2, 4.9
  [NS.tls, new Set(["starttls", "proceed", "failure"])], // RFC 6120 5.4
  [NS.sasl, new Set(["auth", "challenge", "response", "success", "failure", "abort"])], // RFC 6120 6.4
  [NS.dialback, new Set(["result", "verify"])], // XEP-0220 2.1
]);

const STANZAS: ReadonlySet<string> = new Set(["message", "presence", "iq"]); // RFC 6120 8

export interface FirstLevelRefusal {
  condition: StreamErrorCondition;
  reason: string;
}

/**
 * undefined when the element (namespace `uri`, local name `local`) may appear as a
 * first-level child of a stream whose content namespace is `contentNamespace`.
 * Namespaces in `extraNamespaces` (e.g. urn:xmpp:sm:3) are accepted with any name.
 */
export function checkFirstLevel(uri: string, local: string, contentNamespace: string, extraNamespaces: ReadonlySet<string>): FirstLevelRefusal | undefined {
  if (uri === contentNamespace) {
    return STANZAS.has(local) ? undefined : { condition: "unsupported-stanza-type", reason: `<${local}/> is not a stanza of ${uri}` };
  }
  if (uri === "") return { condition: "invalid-namespace", reason: `<${local}/> is not qualified by any namespace` };
  if (uri === NS.server || uri === NS.client) {
    return { condition: "invalid-namespace", reason: `<${local}/> is qualified by ${uri} on a ${contentNamespace} stream` };
  }
  const names = KNOWN.get(uri);
  if (names !== undefined) {
    return names.has(local) ? undefined : { condition: "unsupported-stanza-type", reason: `<${local}/> is not an element of ${uri}` };
  }
  if (extraNamespaces.has(uri)) return undefined;
  return { condition: "unsupported-stanza-type", reason: `namespace ${uri} is not supported at the first level` };
}
