/**
 * The element model of the XMPP stream layer: an element name as written on the
 * wire (qualified, e.g. "db:result"), its attributes (namespace declarations
 * included, as written: "xmlns", "xmlns:db") and its children, elements or text.
 *
 * Elements are frozen when built. Namespaces follow Namespaces in XML 1.0 section 6:
 * an element's namespace is the one declared for its prefix on itself or, failing
 * that, on its parent. XmppStreamParser makes every stanza it emits carry the
 * declarations it needs (RFC 6120 4.8.3: a stanza is qualified by the content
 * namespace of its stream), so the one-level lookup of getChild() is enough for
 * the elements it produces.
 */
export type XmlNode = XmlElement | string;

export type XmlAttrs = Readonly<Record<string, string>>;

export class XmlElement {
  /** The qualified name as written: "message", "stream:features", "db:result". */
  readonly name: string;
  readonly attrs: XmlAttrs;
  readonly children: readonly XmlNode[];

  constructor(name: string, attrs: Record<string, string | undefined> = {}, children: readonly XmlNode[] = []) {
    this.name = name;
    const clean: Record<string, string> = {};
    for (const [key, value] of Object.entries(attrs)) {
      if (value !== undefined) clean[key] = value;
    }
    this.attrs = Object.freeze(clean);
    this.children = Object.freeze([...children]);
    Object.freeze(this);
  }

  /** The prefix of the name, "" when unprefixed. */
  get prefix(): string {
    const colon = this.name.indexOf(":");
    return colon < 0 ? "" : this.name.slice(0, colon);
  }

  /** The local part of the name ("result" for "db:result"). */
  get localName(): string {
    const colon = this.name.indexOf(":");
    return colon < 0 ? this.name : this.name.slice(colon + 1);
  }

  attr(name: string): string | undefined {
    return this.attrs[name];
  }

  /** The namespace declared on this element for its own prefix, if declared here. */
  getNamespace(): string | undefined {
    return this.attrs[declarationFor(this.prefix)];
  }

  /** The child elements, text dropped. */
  getChildElements(): XmlElement[] {
    return this.children.filter((c): c is XmlElement => typeof c !== "string");
  }

  /**
   * The first child element named `name` (a local name, or a qualified name when it
   * contains ":"), in namespace `xmlns` when given. The child's namespace is the one
   * declared for its prefix on the child, else on this element.
   */
  getChild(name: string, xmlns?: string): XmlElement | undefined {
    return this.getChildren(name, xmlns)[0];
  }

  getChildren(name: string, xmlns?: string): XmlElement[] {
    return this.getChildElements().filter((child) => {
      const nameMatches = name.includes(":") ? child.name === name : child.localName === name;
      if (!nameMatches) return false;
      if (xmlns === undefined) return true;
      return this.namespaceOfChild(child) === xmlns;
    });
  }

  /** The concatenated text children of this element (not of its descendants). */
  getText(): string {
    return this.children.filter((c): c is string => typeof c === "string").join("");
  }

  /** The text of the first matching child, undefined when there is no such child. */
  getChildText(name: string, xmlns?: string): string | undefined {
    return this.getChild(name, xmlns)?.getText();
  }

  /** A copy with some attributes replaced (undefined removes one). */
  withAttrs(changes: Record<string, string | undefined>): XmlElement {
    const merged: Record<string, string | undefined> = { ...this.attrs };
    for (const [key, value] of Object.entries(changes)) merged[key] = value;
    return new XmlElement(this.name, merged, this.children);
  }

  /** A copy with other children. */
  withChildren(children: readonly XmlNode[]): XmlElement {
    return new XmlElement(this.name, this.attrs, children);
  }

  private namespaceOfChild(child: XmlElement): string | undefined {
    const key = declarationFor(child.prefix);
    return child.attrs[key] ?? this.attrs[key];
  }
}

/** The attribute that declares a prefix: "xmlns" for the default namespace, "xmlns:p" otherwise. */
export function declarationFor(prefix: string): string {
  return prefix === "" ? "xmlns" : `xmlns:${prefix}`;
}

/** Builder shorthand: xml("message", { to, type: "chat" }, xml("body", {}, "hi")). */
export function xml(name: string, attrs: Record<string, string | undefined> = {}, ...children: XmlNode[]): XmlElement {
  return new XmlElement(name, attrs, children);
}
