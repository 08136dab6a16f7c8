/**
 * Finds the XML constructs RFC 6120 11.1 forbids in a stream, as soon as they start:
 * comments (<!--), processing instructions (<? anywhere but the XML declaration at
 * the very start of the stream), the document type declaration (<!DOCTYPE) and the
 * markup declarations that could only appear inside one (<!ENTITY, <!ELEMENT,
 * <!ATTLIST, <!NOTATION).
 *
 * saxes reports a DOCTYPE or a comment only once it has read (and buffered) the
 * whole of it; a "billion laughs" internal subset or a 10 MB comment would be held
 * in memory first. This scanner runs ahead of saxes over the decoded text and names
 * the position of the construct's "<" so that the parser can stop there. It carries
 * its state across chunks, so a construct split between chunks is found the same.
 *
 * Outside a CDATA section a literal "<" only starts markup (XML 1.0 2.4, 3.1: it is
 * not allowed in character data or attribute values), so the scanner only has to
 * know whether it is inside <![CDATA[ ... ]]>. Anything else that is malformed is
 * left to saxes.
 */
export interface RestrictedConstruct {
  /** Index in the scanned text of the "<" that opens the construct (may be negative: it began in an earlier chunk). */
  index: number;
  what: "comment" | "processing instruction" | "document type declaration" | "markup declaration";
}

const CDATA_OPEN = "[CDATA[";

export class RestrictedXmlScanner {
  /** Characters scanned so far in this stream. */
  private position = 0;
  /** Position of the last "<" seen outside CDATA, while deciding what it opens. */
  private ltAt = -1;
  /** How much of "<!" + "[CDATA[" has matched after ltAt: 0 = just "<", 1 = "<!", 2.. = "<![", ... */
  private matched = 0;
  private inCdata = false;
  private closingBrackets = 0;

  /** Scans the next chunk of text; returns the first restricted construct that starts in or before it. */
  scan(text: string): RestrictedConstruct | undefined {
    const base = this.position;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const found = this.step(c, base + i);
      if (found !== undefined) {
        this.position = base + i + 1;
        return { index: found.at - base, what: found.what };
      }
    }
    this.position = base + text.length;
    return undefined;
  }

  private step(c: number, at: number): { at: number; what: RestrictedConstruct["what"] } | undefined {
    if (this.inCdata) {
      if (c === 0x5d /* ] */) this.closingBrackets++;
      else {
        if (c === 0x3e /* > */ && this.closingBrackets >= 2) this.inCdata = false;
        this.closingBrackets = 0;
      }
      return undefined;
    }
    if (this.ltAt < 0) {
      if (c === 0x3c /* < */) {
        this.ltAt = at;
        this.matched = 0;
      }
      return undefined;
    }
    const lt = this.ltAt;
    if (this.matched === 0) {
      if (c === 0x3f /* ? */) {
        this.ltAt = -1;
        // RFC 6120 11.5 / XML 1.0 2.8: only the XML declaration, only at the start.
        return lt === 0 ? undefined : { at: lt, what: "processing instruction" };
      }
      if (c === 0x21 /* ! */) {
        this.matched = 1;
        return undefined;
      }
      this.ltAt = c === 0x3c ? at : -1;
      return undefined;
    }
    if (this.matched === 1) {
      if (c === 0x2d /* - */) return this.found(lt, "comment");
      if (c === 0x44 /* D */) return this.found(lt, "document type declaration");
      if (c === 0x45 /* E */ || c === 0x41 /* A */ || c === 0x4e /* N */) return this.found(lt, "markup declaration");
    }
    // matched >= 1: following "<!" + "[CDATA[".
    const expected = CDATA_OPEN.charCodeAt(this.matched - 1);
    if (c !== expected) {
      this.ltAt = c === 0x3c ? at : -1; // malformed: saxes will say so
      this.matched = 0;
      return undefined;
    }
    this.matched++;
    if (this.matched - 1 === CDATA_OPEN.length) {
      this.ltAt = -1;
      this.inCdata = true;
      this.closingBrackets = 0;
    }
    return undefined;
  }

  private found(at: number, what: RestrictedConstruct["what"]): { at: number; what: RestrictedConstruct["what"] } {
    this.ltAt = -1;
    return { at, what };
  }
}
