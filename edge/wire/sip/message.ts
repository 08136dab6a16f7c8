/**
 * The SIP message model (RFC 3261 7: start-line, header fields, body). The body is raw
 * bytes; Content-Length always counts bytes (20.14). Typed accessors parse the current
 * header values on demand, so they stay right after a proxy edits the headers.
 */
import { WireDecodeError } from "../decode-error.ts";
import { fieldWhere, SipHeaders, type SipHeaderField } from "./headers.ts";
import { parseNameAddr, type NameAddr } from "./name-addr.ts";
import { splitCommaList } from "./params.ts";
import { parseCallId, parseContentLength, parseCSeq, parseMaxForwards, type SipCSeq } from "./scalars.ts";
import { sipError } from "./syntax.ts";
import { parseUri, type AnyUri } from "./uri.ts";
import { parseVia, type SipVia } from "./via.ts";

/**
 * Stands for a field's location while it parses; the parsers use `where` only to
 * build their errors, so an error carrying LATER gets the real location (fieldWhere)
 * on its way out and nothing else changes.
 */
const LATER = "\u0000(location pending)";

function placed(err: unknown, f: SipHeaderField, index?: number): unknown {
  if (err instanceof WireDecodeError && err.where === LATER) return new WireDecodeError(err.protocol, fieldWhere(f, index), err.reason, err.wireCode);
  return err;
}

abstract class SipMessageBase {
  headers: SipHeaders;
  body: Buffer;
  /** Parsed header values, valid while `headers` is the same object at the same version (a proxy parses each once). */
  #parsed = new Map<string, unknown>();
  #parsedOf: SipHeaders | undefined;
  #parsedAt = -1;

  constructor(headers: SipHeaders, body: Buffer) {
    this.headers = headers;
    this.body = body;
  }

  /** Parse once per headers version; a parse that throws is not kept (it throws again next time). */
  protected memo<T>(key: string, parse: () => T): T {
    const h = this.headers;
    if (this.#parsedOf !== h || this.#parsedAt !== h.version) {
      this.#parsed.clear();
      this.#parsedOf = h;
      this.#parsedAt = h.version;
    }
    const known = this.#parsed.get(key);
    if (known !== undefined || this.#parsed.has(key)) return known as T;
    const v = parse();
    this.#parsed.set(key, v);
    return v;
  }

  /** The single line of a single-value field; two lines is an error (7.3.1, RFC 4475 3.3.8). */
  protected single(name: string): SipHeaderField | undefined {
    const fs = this.headers.fieldsOf(name);
    if (fs.length > 1) throw sipError(fieldWhere(fs[1] as SipHeaderField), `'${name}' appears more than once`);
    return fs[0];
  }

  /**
   * Every element of a list field, each parsed, with its location for errors. The
   * location text is made only when an element fails (see LATER): a proxy parses a
   * dozen elements per message and nearly all of them parse.
   */
  protected list<T>(name: string, parse: (v: string, where: string) => T): T[] {
    const out: T[] = [];
    for (const f of this.headers.fieldsOf(name)) {
      let parts: string[];
      try {
        parts = splitCommaList(f.value, LATER);
      } catch (err) {
        throw placed(err, f);
      }
      for (let i = 0; i < parts.length; i++) {
        try {
          out.push(parse(parts[i] as string, LATER));
        } catch (err) {
          throw placed(err, f, i);
        }
      }
    }
    return out;
  }

  /** All Via values, top first, across lines and commas. */
  vias(): SipVia[] {
    return this.memo("via", () => this.list("Via", parseVia)).slice();
  }

  topVia(): SipVia | undefined {
    return this.memo("via", () => this.list("Via", parseVia))[0];
  }

  cseq(): SipCSeq | undefined {
    return this.memo("cseq", () => {
      const f = this.single("CSeq");
      return f === undefined ? undefined : parseCSeq(f.value, fieldWhere(f));
    });
  }

  callId(): string | undefined {
    return this.memo("call-id", () => {
      const f = this.single("Call-ID");
      return f === undefined ? undefined : parseCallId(f.value, fieldWhere(f));
    });
  }

  from(): NameAddr | undefined {
    return this.memo("from", () => {
      const f = this.single("From");
      return f === undefined ? undefined : parseNameAddr(f.value, fieldWhere(f));
    });
  }

  to(): NameAddr | undefined {
    return this.memo("to", () => {
      const f = this.single("To");
      return f === undefined ? undefined : parseNameAddr(f.value, fieldWhere(f));
    });
  }

  /** Contact values; "*" (REGISTER wildcard, 10.2.2) is returned as an empty list plus star. */
  contacts(): NameAddr[] {
    return this.memo("contact", () =>
      this.list("Contact", (v, where) => (v === "*" ? undefined : parseNameAddr(v, where))).filter((c): c is NameAddr => c !== undefined),
    ).slice();
  }

  routes(): NameAddr[] {
    return this.memo("route", () => this.list("Route", parseNameAddr)).slice();
  }

  recordRoutes(): NameAddr[] {
    return this.memo("record-route", () => this.list("Record-Route", parseNameAddr)).slice();
  }

  /** The Content-Length field value in bytes, undefined when absent. */
  contentLength(): number | undefined {
    return this.memo("content-length", () => {
      const f = this.single("Content-Length");
      return f === undefined ? undefined : parseContentLength(f.value, fieldWhere(f));
    });
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = "request" as const;
  method: string;
  /** Request-URI text as written; replace it to retarget (16.6 step 2). */
  uri: string;
  version: string;
  #parsedUri: AnyUri | undefined;
  #uriOf: string | undefined;

  constructor(method: string, uri: string, headers: SipHeaders = new SipHeaders(), body: Buffer = Buffer.alloc(0), version = "SIP/2.0") {
    super(headers, body);
    this.method = method;
    this.uri = uri;
    this.version = version;
  }

  /** The parsed Request-URI, kept while `uri` is the same text (16.6 step 2 may retarget it). */
  requestUri(): AnyUri {
    if (this.#uriOf !== this.uri || this.#parsedUri === undefined) {
      this.#parsedUri = parseUri(this.uri, "start-line Request-URI");
      this.#uriOf = this.uri;
    }
    return this.#parsedUri;
  }

  maxForwards(): number | undefined {
    return this.memo("max-forwards", () => {
      const f = this.single("Max-Forwards");
      return f === undefined ? undefined : parseMaxForwards(f.value, fieldWhere(f));
    });
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = "response" as const;
  status: number;
  reason: string;
  version: string;

  constructor(status: number, reason: string, headers: SipHeaders = new SipHeaders(), body: Buffer = Buffer.alloc(0), version = "SIP/2.0") {
    super(headers, body);
    this.status = status;
    this.reason = reason;
    this.version = version;
  }
}

export type SipMessage = SipRequest | SipResponse;
