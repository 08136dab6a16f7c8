/**
 * Stanza errors, RFC 6120 8.3: an error reply is a stanza of the same kind with
 * type='error', from/to swapped and the same id (8.3.1), carrying
 * <error type='auth|cancel|continue|modify|wait'> with one defined condition qualified
 * by urn:ietf:params:xml:ns:xmpp-stanzas and an optional <text/> (8.3.2).
 * An entity never answers an error with an error (8.3.1, to avoid loops).
 */
import { XmlElement } from "./xml-element.ts";
import type { XmlNode } from "./xml-element.ts";
import { NS } from "./namespaces.ts";

/** RFC 6120 8.3.2: the error type says what the sender may do about it. */
export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

/**
 * RFC 6120 8.3.3.1 to 8.3.3.22, each with the type its example in the RFC uses,
 * which is the default when the caller does not give one.
 */
export const STANZA_ERROR_DEFAULT_TYPE = {
  "bad-request": "modify",
  conflict: "cancel",
  "feature-not-implemented": "cancel",
  forbidden: "auth",
  gone: "cancel",
  "internal-server-error": "cancel",
  "item-not-found": "cancel",
  "jid-malformed": "modify",
  "not-acceptable": "modify",
  "not-allowed": "cancel",
  "not-authorized": "auth",
  "policy-violation": "modify",
  "recipient-unavailable": "wait",
  redirect: "modify",
  "registration-required": "auth",
  "remote-server-not-found": "cancel",
  "remote-server-timeout": "wait",
  "resource-constraint": "wait",
  "service-unavailable": "cancel",
  "subscription-required": "auth",
  "undefined-condition": "cancel",
  "unexpected-request": "wait",
} as const satisfies Record<string, StanzaErrorType>;

export type StanzaErrorCondition = keyof typeof STANZA_ERROR_DEFAULT_TYPE;

export const STANZA_ERROR_CONDITIONS = Object.keys(STANZA_ERROR_DEFAULT_TYPE) as StanzaErrorCondition[];

export interface StanzaErrorOptions {
  type?: StanzaErrorType;
  text?: string;
  lang?: string;
  /** RFC 6120 8.3.1: the JID of the entity that generated the error. */
  by?: string;
  /** RFC 6120 8.3.3.7 / 8.3.3.14: the alternate address for gone and redirect. */
  uri?: string;
}

/** The <error/> child: <error type='cancel'><service-unavailable xmlns='...stanzas'/><text .../></error>. */
export function buildStanzaError(condition: StanzaErrorCondition, options: StanzaErrorOptions = {}): XmlElement {
  const type = options.type ?? STANZA_ERROR_DEFAULT_TYPE[condition];
  const uri = (condition === "gone" || condition === "redirect") && options.uri !== undefined ? [options.uri] : [];
  const children: XmlElement[] = [new XmlElement(condition, { xmlns: NS.stanzas }, uri)];
  if (options.text !== undefined) {
    children.push(new XmlElement("text", { xmlns: NS.stanzas, "xml:lang": options.lang }, [options.text]));
  }
  return new XmlElement("error", { type, by: options.by }, children);
}

export interface StanzaErrorReplyOptions extends StanzaErrorOptions {
  /** RFC 6120 8.3.1: the reply MAY include the original payload; off by default (size, privacy). */
  includeOriginal?: boolean;
}

/**
 * The error reply to `original` (a message, presence or iq): same element and id,
 * type='error', from/to swapped, the <error/> child last. undefined when `original`
 * is itself an error, which must not be answered (RFC 6120 8.3.1).
 */
export function buildStanzaErrorReply(original: XmlElement, condition: StanzaErrorCondition, options: StanzaErrorReplyOptions = {}): XmlElement | undefined {
  if (original.attr("type") === "error") return undefined;
  const attrs: Record<string, string | undefined> = {
    xmlns: original.attr("xmlns"),
    from: original.attr("to"),
    to: original.attr("from"),
    id: original.attr("id"),
    type: "error",
    "xml:lang": original.attr("xml:lang"),
  };
  const payload: XmlNode[] = options.includeOriginal === true ? original.children.filter((c) => typeof c !== "string") : [];
  return new XmlElement(original.name, attrs, [...payload, buildStanzaError(condition, options)]);
}
