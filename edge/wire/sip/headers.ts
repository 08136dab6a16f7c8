/**
 * The ordered header list of a SIP message (RFC 3261 7.3). Keeps each field's name as
 * written and its original bytes, so an unchanged field is re-emitted byte for byte.
 * Lookup is by canonical name: case-insensitive and aware of compact forms (7.3.3).
 * Several lines of one list field are one list, in order (7.3.1).
 */
import { canonicalName, headerKey, isListHeader } from "./header-names.ts";
import { splitCommaList } from "./params.ts";

export interface SipHeaderField {
  /** Name as written on the wire, trimmed ("v", "MaX-fOrWaRdS"); canonical when we added it. */
  name: string;
  /** Lower-case canonical key ("via", "max-forwards"). */
  key: string;
  /** Value with folding undone (each CRLF+WSP run is one SP, 7.3.1) and outer LWS trimmed. */
  value: string;
  /** The original bytes of the field line(s) incl. the final CRLF; undefined once changed. */
  raw: Buffer | undefined;
  /** 1-based line of the message where this field started (0 for fields we added). */
  line: number;
}

/** "header 'Via' (line 7)" style location for WireDecodeError.where. */
export function fieldWhere(f: SipHeaderField, index?: number): string {
  const loc = f.line > 0 ? ` (line ${f.line})` : "";
  return `header '${f.name}'${loc}${index === undefined ? "" : ` value ${index + 1}`}`;
}

const NONE: readonly SipHeaderField[] = Object.freeze([]);

export class SipHeaders implements Iterable<SipHeaderField> {
  #fields: SipHeaderField[];
  #version = 0;
  /** Lines by key, built on the first lookup after an edit: a proxy looks up a dozen names per message. */
  #index: Map<string, SipHeaderField[]> | undefined;
  #indexAt = -1;

  /** Bumped by every edit made through this class, so parsed views (message.ts) know when to re-parse. */
  get version(): number {
    return this.#version;
  }

  constructor(fields: SipHeaderField[] = []) {
    this.#fields = fields;
  }

  static field(name: string, value: string): SipHeaderField {
    return { name: canonicalName(name), key: headerKey(name), value, raw: undefined, line: 0 };
  }

  [Symbol.iterator](): Iterator<SipHeaderField> {
    return this.#fields[Symbol.iterator]();
  }

  get fields(): readonly SipHeaderField[] {
    return this.#fields;
  }

  /** Every field line of this name, in order (shared with the index: do not modify the array). */
  fieldsOf(name: string): readonly SipHeaderField[] {
    if (this.#index === undefined || this.#indexAt !== this.#version) {
      const index = new Map<string, SipHeaderField[]>();
      for (const f of this.#fields) {
        const list = index.get(f.key);
        if (list === undefined) index.set(f.key, [f]);
        else list.push(f);
      }
      this.#index = index;
      this.#indexAt = this.#version;
    }
    return this.#index.get(headerKey(name)) ?? NONE;
  }

  has(name: string): boolean {
    return this.fieldsOf(name).length > 0;
  }

  /** Value of the first line of this name. */
  get(name: string): string | undefined {
    return this.fieldsOf(name)[0]?.value;
  }

  /** Values of every line of this name (not split at commas). */
  getAll(name: string): string[] {
    return this.fieldsOf(name).map((f) => f.value);
  }

  /** For list fields, all comma-separated elements across all lines; otherwise getAll(). */
  values(name: string): string[] {
    if (!isListHeader(name)) return this.getAll(name);
    return this.fieldsOf(name).flatMap((f) => splitCommaList(f.value, `header '${f.name}'`));
  }

  append(name: string, value: string): void {
    this.#version++;
    this.#fields.push(SipHeaders.field(name, value));
  }

  /**
   * Insert before the first line of the same name (top of a list, 16.6 steps 4 and 8).
   * When there is none: a Via goes first, anything else last.
   */
  prepend(name: string, value: string): void {
    this.#version++;
    const key = headerKey(name);
    const at = this.#fields.findIndex((f) => f.key === key);
    const pos = at >= 0 ? at : key === "via" ? 0 : this.#fields.length;
    this.#fields.splice(pos, 0, SipHeaders.field(name, value));
  }

  /** Replace the first line's value in place (its name kept), drop other lines; append if absent. */
  set(name: string, value: string): void {
    this.#version++;
    const key = headerKey(name);
    const at = this.#fields.findIndex((f) => f.key === key);
    if (at < 0) {
      this.append(name, value);
      return;
    }
    const first = this.#fields[at] as SipHeaderField;
    // Other lines of this name go; most fields have one line, and then the list stays as it is.
    if (this.#fields.findIndex((f, i) => i > at && f.key === key) >= 0) this.#fields = this.#fields.filter((f, i) => f.key !== key || i === at);
    first.value = value;
    first.raw = undefined;
  }

  /** Remove every line of this name; returns how many were removed. */
  remove(name: string): number {
    this.#version++;
    const key = headerKey(name);
    const before = this.#fields.length;
    this.#fields = this.#fields.filter((f) => f.key !== key);
    return before - this.#fields.length;
  }

  /**
   * Remove the first element of a list field ("Via: a, b" -> "Via: b"), dropping the line
   * when it held only that element (16.7 step 3: remove the topmost Via). Returns the element.
   */
  removeFirstValue(name: string): string | undefined {
    this.#version++;
    const first = this.fieldsOf(name)[0];
    if (first === undefined) return undefined;
    const parts = splitCommaList(first.value, fieldWhere(first));
    const [head, ...tail] = parts;
    if (tail.length === 0) this.#fields = this.#fields.filter((f) => f !== first);
    else {
      first.value = tail.join(", ");
      first.raw = undefined;
    }
    return head;
  }
}
