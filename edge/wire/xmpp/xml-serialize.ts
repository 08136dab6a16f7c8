/**
 * Serialises the element model to XML text for an XMPP stream (RFC 6120 11: XML 1.0,
 * UTF-8, no declarations or comments inside the stream).
 *
 * Text escapes &, <, > (">" so that "]]>" never appears) and CR (so that it survives
 * end-of-line normalisation, XML 1.0 2.11). Attribute values escape &, <, >, ", ' and
 * TAB/LF/CR as character references (attribute-value normalisation, XML 1.0 3.3.3,
 * would otherwise turn them into spaces). Characters XML 1.0 forbids (2.2: C0
 * controls other than TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF) cannot be escaped
 * at all, so they are refused with a RangeError instead of producing a stream the
 * peer must reject as not-well-formed.
 */
import type { XmlNode } from "./xml-element.ts";
import { NS } from "./namespaces.ts";

// XML 1.0 2.2 Char, negated; the u flag makes lone surrogates match \uD800-\uDFFF.
// eslint-disable-next-line no-control-regex -- matching the C0 controls is the point
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/u;

function refuseForbidden(value: string, what: string): void {
  const match = FORBIDDEN_CHAR.exec(value);
  if (match !== null) {
    const code = match[0].codePointAt(0) ?? 0;
    throw new RangeError(`${what}: U+${code.toString(16).toUpperCase().padStart(4, "0")} is not an XML 1.0 character and cannot be escaped`);
  }
}

export function escapeText(text: string): string {
  refuseForbidden(text, "text");
  return text.replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;"));
}

const ATTR_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

export function escapeAttr(value: string): string {
  refuseForbidden(value, "attribute value");
  return value.replace(/[&<>"'\t\n\r]/g, (c) => ATTR_ESCAPES[c] ?? c);
}

function openTagBody(name: string, attrs: Readonly<Record<string, string>>): string {
  let out = `<${name}`;
  for (const [key, value] of Object.entries(attrs)) out += ` ${key}='${escapeAttr(value)}'`;
  return out;
}

/** The XML text of an element and its subtree. */
export function serialize(node: XmlNode): string {
  if (typeof node === "string") return escapeText(node);
  if (node.children.length === 0) return `${openTagBody(node.name, node.attrs)}/>`;
  let out = `${openTagBody(node.name, node.attrs)}>`;
  for (const child of node.children) out += serialize(child);
  return `${out}</${node.name}>`;
}

/** RFC 6120 11.5: the XML declaration a stream may start with. */
export const XML_DECLARATION = "<?xml version='1.0'?>";

/** RFC 6120 4.4: closes the stream. */
export const STREAM_CLOSE = "</stream:stream>";

export interface StreamHeaderOptions {
  from?: string;
  to?: string;
  /** The stream ID; the receiving entity sets it (RFC 6120 4.7.3). */
  id?: string;
  /** RFC 6120 4.7.5: "1.0" unless given; null omits it (pre-RFC 3920 dialback-only peers). */
  version?: string | null;
  /** RFC 6120 4.8.2: the content namespace, jabber:server unless given. */
  contentNamespace?: string;
  /** XEP-0220: declare xmlns:db='jabber:server:dialback' on the header. */
  dialback?: boolean;
  /** RFC 6120 4.7.4: xml:lang. */
  lang?: string;
}

/**
 * The opening tag of a stream (RFC 6120 4.7), without the XML declaration:
 * <stream:stream xmlns='jabber:server' xmlns:stream='...' xmlns:db='...' from to id version>.
 */
export function streamHeader(options: StreamHeaderOptions = {}): string {
  const attrs: Record<string, string> = {
    xmlns: options.contentNamespace ?? NS.server,
    "xmlns:stream": NS.streams,
  };
  if (options.dialback === true) attrs["xmlns:db"] = NS.dialback;
  if (options.from !== undefined) attrs.from = options.from;
  if (options.to !== undefined) attrs.to = options.to;
  if (options.id !== undefined) attrs.id = options.id;
  if (options.version !== null) attrs.version = options.version ?? "1.0";
  if (options.lang !== undefined) attrs["xml:lang"] = options.lang;
  return `${openTagBody("stream:stream", attrs)}>`;
}
