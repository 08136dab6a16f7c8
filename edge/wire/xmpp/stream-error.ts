/**
 * Stream errors, RFC 6120 4.9: <stream:error> carries one defined condition element
 * qualified by urn:ietf:params:xml:ns:xmpp-streams, an optional <text/> and an
 * optional application-specific element; the stream is closed right after it
 * (RFC 6120 4.9.1.1).
 */
import { XmlElement } from "./xml-element.ts";
import { NS } from "./namespaces.ts";

/** RFC 6120 4.9.3.1 to 4.9.3.25, in that order. */
export const STREAM_ERROR_CONDITIONS = [
  "bad-format",
  "bad-namespace-prefix",
  "conflict",
  "connection-timeout",
  "host-gone",
  "host-unknown",
  "improper-addressing",
  "internal-server-error",
  "invalid-from",
  "invalid-namespace",
  "invalid-xml",
  "not-authorized",
  "not-well-formed",
  "policy-violation",
  "remote-connection-failed",
  "reset",
  "resource-constraint",
  "restricted-xml",
  "see-other-host",
  "system-shutdown",
  "undefined-condition",
  "unsupported-encoding",
  "unsupported-feature",
  "unsupported-stanza-type",
  "unsupported-version",
] as const;

export type StreamErrorCondition = (typeof STREAM_ERROR_CONDITIONS)[number];

const CONDITION_SET: ReadonlySet<string> = new Set(STREAM_ERROR_CONDITIONS);

export function isStreamErrorCondition(value: unknown): value is StreamErrorCondition {
  return typeof value === "string" && CONDITION_SET.has(value);
}

export interface StreamErrorOptions {
  /** Human-readable description, RFC 6120 4.9.2 (not to be shown to users as the reason). */
  text?: string;
  /** xml:lang of the text. */
  lang?: string;
  /** RFC 6120 4.9.3.19: the alternate host (domain, [IPv6] or host:port) for see-other-host. */
  seeOtherHost?: string;
  /** RFC 6120 4.9.4: an application-specific condition element, qualified by its own namespace. */
  applicationCondition?: XmlElement;
}

/**
 * <stream:error><CONDITION xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text ...>why</text></stream:error>,
 * written to be sent inside a stream whose header binds the stream: prefix.
 */
export function buildStreamError(condition: StreamErrorCondition, options: StreamErrorOptions = {}): XmlElement {
  const conditionText = condition === "see-other-host" && options.seeOtherHost !== undefined ? [options.seeOtherHost] : [];
  const children: XmlElement[] = [new XmlElement(condition, { xmlns: NS.streamErrors }, conditionText)];
  if (options.text !== undefined) {
    children.push(new XmlElement("text", { xmlns: NS.streamErrors, "xml:lang": options.lang }, [options.text]));
  }
  if (options.applicationCondition !== undefined) children.push(options.applicationCondition);
  return new XmlElement("stream:error", {}, children);
}

export interface ParsedStreamError {
  /** The defined condition, "undefined-condition" when the peer sent none we know (RFC 6120 4.9.3.21). */
  condition: StreamErrorCondition;
  text?: string;
  /** The content of <see-other-host/>. */
  seeOtherHost?: string;
}

/** Reads a received <stream:error> (as emitted by XmppStreamParser). */
export function parseStreamError(element: XmlElement): ParsedStreamError {
  let condition: StreamErrorCondition = "undefined-condition";
  let text: string | undefined;
  let seeOtherHost: string | undefined;
  for (const child of element.getChildElements()) {
    if (child.attr("xmlns") !== NS.streamErrors) continue;
    if (child.name === "text") text = child.getText();
    else if (isStreamErrorCondition(child.name)) {
      condition = child.name;
      if (condition === "see-other-host") seeOtherHost = child.getText();
    }
  }
  return { condition, ...(text !== undefined ? { text } : {}), ...(seeOtherHost !== undefined ? { seeOtherHost } : {}) };
}
