/**
 * Builds the XmlElement of one first-level element (a stanza, RFC 6120 8, or a
 * negotiation element) from saxes events, and makes it namespace-complete: the
 * declarations it relied on from the stream header (the default content namespace,
 * RFC 6120 4.8.2, or a prefix such as db: for XEP-0220) are added to its root, so
 * that it can be read, forwarded or serialised on its own (Namespaces in XML 1.0 6).
 */
import type { SaxesTagNS } from "saxes";
import { XmlElement, declarationFor } from "./xml-element.ts";
import type { XmlNode } from "./xml-element.ts";

interface OpenElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}

export class StanzaBuilder {
  private readonly open: OpenElement[] = [];

  /** Elements open in the current stanza; 0 between stanzas. */
  get depth(): number {
    return this.open.length;
  }

  openElement(tag: SaxesTagNS): void {
    const attrs: Record<string, string> = {};
    for (const attr of Object.values(tag.attributes)) attrs[attr.name] = attr.value;
    this.open.push({ name: tag.name, attrs, children: [] });
    this.declareIfInherited(tag.prefix, tag.uri);
    for (const attr of Object.values(tag.attributes)) {
      if (attr.prefix !== "" && attr.prefix !== "xmlns" && attr.prefix !== "xml") this.declareIfInherited(attr.prefix, attr.uri);
    }
  }

  /**
   * Closes the innermost open element. Returns the stanza when that was its root,
   * undefined otherwise (or when nothing was open: the stream root closed).
   */
  closeElement(): { stanza?: XmlElement; wasOpen: boolean } {
    const element = this.open.pop();
    if (element === undefined) return { wasOpen: false };
    const built = new XmlElement(element.name, element.attrs, element.children);
    const parent = this.open[this.open.length - 1];
    if (parent === undefined) return { stanza: built, wasOpen: true };
    parent.children.push(built);
    return { wasOpen: true };
  }

  /** Adds character data to the innermost open element (adjacent text is merged). */
  text(text: string): void {
    const top = this.open[this.open.length - 1];
    if (top === undefined) return;
    const last = top.children[top.children.length - 1];
    if (typeof last === "string") top.children[top.children.length - 1] = last + text;
    else top.children.push(text);
  }

  private declareIfInherited(prefix: string, uri: string): void {
    const key = declarationFor(prefix);
    if (this.open.some((el) => key in el.attrs)) return;
    const root = this.open[0] as OpenElement;
    root.attrs = { [key]: uri, ...root.attrs };
  }
}
