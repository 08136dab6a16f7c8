/**
 * Server-side XMPP stream parser (RFC 6120 4, 11) on saxes: bytes in, events out.
 *
 * - streamStart(attrs) for the stream header <stream:stream> (RFC 6120 4.7),
 * - stanza(element) for each complete first-level child (stanzas, features,
 *   STARTTLS/SASL/dialback elements, stream:error), namespace-complete,
 * - streamEnd() for </stream:stream> (RFC 6120 4.4),
 * - error(WireDecodeError) with wireCode the stream error condition (RFC 6120 4.9.3);
 *   after it nothing more is emitted: the caller sends <stream:error/> and closes.
 *
 * Chunks may split anything (a tag, "?>", a UTF-8 sequence): bytes go through a
 * streaming UTF-8 decoder, then a scanner for what RFC 6120 11.1 forbids (which stops
 * the parse at the construct's first "<", before saxes buffers it), then saxes. The
 * events do not depend on where the chunks were split. docs/xmpp-wire.md lists what is
 * refused with which condition, and the limits.
 */
import { EventEmitter } from "node:events";
import { SaxesParser } from "saxes";
import type { SaxesTagNS, XMLDecl } from "saxes";
import { WireDecodeError } from "../decode-error.ts";
import { NS } from "./namespaces.ts";
import type { XmlElement } from "./xml-element.ts";
import { StanzaBuilder } from "./stanza-builder.ts";
import { Utf8StreamDecoder } from "./utf8-decoder.ts";
import { RestrictedXmlScanner } from "./restricted-scanner.ts";
import { checkFirstLevel } from "./first-level.ts";
import type { StreamErrorCondition } from "./stream-error.ts";

export interface XmppStreamParserOptions {
  /** Content namespaces accepted as the header's default namespace (RFC 6120 4.8.2). Default [jabber:server]. */
  contentNamespaces?: readonly string[];
  /** Extra namespaces accepted for first-level children besides streams/tls/sasl/dialback (e.g. urn:xmpp:sm:3). */
  extraNamespaces?: readonly string[];
  /** Largest first-level element, in bytes, from its "<" to its end; also the most bytes between two. Default 65536. */
  maxStanzaBytes?: number;
  /** Most bytes one stream may carry; the byte past it is a policy-violation. Default 10 MiB. */
  maxStreamBytes?: number;
  /** Deepest element nesting, the stanza being depth 1 (inside the stream root, depth 0). Default 32. */
  maxDepth?: number;
}

export interface XmppStreamEvents {
  streamStart: [attrs: Readonly<Record<string, string>>];
  stanza: [element: XmlElement];
  streamEnd: [];
  error: [error: WireDecodeError];
}

export const XMPP_STREAM_DEFAULTS = {
  maxStanzaBytes: 64 * 1024,
  maxStreamBytes: 10 * 1024 * 1024,
  maxDepth: 32,
} as const;

/** Most bytes handed to saxes at a time. */
const SLICE_BYTES = 4096;

/** Thrown through saxes from our handlers to stop it mid-chunk (saxes has no abort). */
const STOP = Symbol("stop");
const RESTART = Symbol("restart");

type Phase = "header" | "open" | "ended";

export class XmppStreamParser extends EventEmitter<XmppStreamEvents> {
  private readonly contentNamespaces: ReadonlySet<string>;
  private readonly extraNamespaces: ReadonlySet<string>;
  private readonly maxStanzaBytes: number;
  private readonly maxStreamBytes: number;
  private readonly maxDepth: number;

  private sax!: SaxesParser<{ xmlns: true; position: true }>;
  private decoder!: Utf8StreamDecoder;
  private scanner!: RestrictedXmlScanner;
  private phase: Phase = "header";
  private failure: WireDecodeError | undefined;
  private contentNamespace = "";
  private builder = new StanzaBuilder();
  private stanzas = 0;
  /** Bytes of this stream taken in by push(), and handed to saxes so far. */
  private bytesIn = 0;
  private bytesFed = 0;
  /** The slice saxes is working on, to turn its character positions into byte offsets. */
  private sliceText = "";
  private sliceCharStart = 0;
  private sliceByteStart = 0;
  private charsFed = 0;
  private stanzaStartByte = 0;
  private lastUnitEndByte = 0;
  private inSax = false;
  private restartRequested = false;
  private discarded = 0;
  /**
   * A completed stanza or stream end, emitted at saxes' next callback unless that
   * callback is the error saxes raises right after a close tag that did not match
   * (saxes calls closetag for the open element first, then fails).
   */
  private deferred: (() => void) | undefined;

  constructor(options: XmppStreamParserOptions = {}) {
    super();
    this.contentNamespaces = new Set(options.contentNamespaces ?? [NS.server]);
    this.extraNamespaces = new Set(options.extraNamespaces ?? []);
    this.maxStanzaBytes = options.maxStanzaBytes ?? XMPP_STREAM_DEFAULTS.maxStanzaBytes;
    this.maxStreamBytes = options.maxStreamBytes ?? XMPP_STREAM_DEFAULTS.maxStreamBytes;
    this.maxDepth = options.maxDepth ?? XMPP_STREAM_DEFAULTS.maxDepth;
    this.reset();
  }

  /** The error that stopped the parser, if one did. */
  get error(): WireDecodeError | undefined {
    return this.failure;
  }

  /** True once </stream:stream> was seen; later input is ignored. */
  get ended(): boolean {
    return this.phase === "ended";
  }

  /** Bytes of the current stream taken in so far. */
  get bytesReceived(): number {
    return this.bytesIn;
  }

  /** Bytes thrown away by the last restart() (sent after the element that caused it). */
  get discardedOnRestart(): number {
    return this.discarded;
  }

  /** Failed or ended: nothing more will be emitted for this stream. */
  private get stopped(): boolean {
    return this.failure !== undefined || this.phase === "ended";
  }

  /** Feeds bytes (or text, encoded as UTF-8) received from the peer. */
  push(chunk: Uint8Array | string): void {
    if (this.stopped) return;
    let bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    const room = this.maxStreamBytes - this.bytesIn;
    const overflow = bytes.byteLength > room;
    if (overflow) bytes = bytes.subarray(0, Math.max(0, room));
    const pushStart = this.bytesIn;
    this.bytesIn += bytes.byteLength;
    for (let at = 0; at < bytes.byteLength && !this.stopped; ) {
      // Never hand saxes more than the byte that would cross the stanza budget, so the
      // size checks fire at the same byte whatever the chunk boundaries.
      const base = this.builder.depth > 0 ? this.stanzaStartByte : this.lastUnitEndByte;
      const budget = Math.max(1, base + this.maxStanzaBytes + 1 - this.decoder.bytesWritten);
      const size = Math.min(SLICE_BYTES, budget, bytes.byteLength - at);
      const restartedAt = this.feedBytes(bytes.subarray(at, at + size));
      at += size;
      if (restartedAt !== undefined) {
        const discarded = pushStart + bytes.byteLength - restartedAt;
        this.reset();
        this.discarded = discarded;
        return;
      }
    }
    if (overflow && !this.stopped) {
      this.fail("policy-violation", `byte ${this.maxStreamBytes} of the stream`, `the stream exceeds ${this.maxStreamBytes} bytes`);
    }
  }

  /**
   * RFC 6120 4.3.3: after STARTTLS (5.4.3.3) or SASL success (6.4.6) both sides start a
   * new stream; the parser forgets everything and expects a new header (and optionally
   * an XML declaration). Called from a stanza listener, the bytes that followed that
   * element in the same push are discarded and counted in discardedOnRestart: after
   * <proceed/> they would be plaintext injected before the TLS handshake.
   */
  restart(): void {
    if (this.inSax) {
      this.restartRequested = true;
      return;
    }
    const pending = this.bytesIn - (this.phase === "header" ? 0 : this.lastUnitEndByte);
    this.reset();
    this.discarded = pending;
  }

  private reset(): void {
    this.sax = new SaxesParser({ xmlns: true, position: true, defaultXMLVersion: "1.0", forceXMLVersion: true });
    this.decoder = new Utf8StreamDecoder();
    this.scanner = new RestrictedXmlScanner();
    this.phase = "header";
    this.failure = undefined;
    this.contentNamespace = "";
    this.builder = new StanzaBuilder();
    this.stanzas = 0;
    this.bytesIn = this.bytesFed = this.charsFed = 0;
    this.sliceText = "";
    this.sliceCharStart = this.sliceByteStart = 0;
    this.stanzaStartByte = this.lastUnitEndByte = 0;
    this.restartRequested = false;
    this.discarded = 0;
    this.deferred = undefined;
    this.bindSax();
  }

  /** Decodes, scans and parses one slice. Returns the stream byte offset where a restart was requested. */
  private feedBytes(bytes: Uint8Array): number | undefined {
    const { text, error: encodingError } = this.decoder.write(bytes);
    const restricted = this.scanner.scan(text);
    // Parse up to and including the "<" of a restricted construct, so that saxes sees
    // the same text whether or not the construct was split across chunks.
    const cut = restricted === undefined ? text.length : Math.max(0, Math.min(text.length, restricted.index + 1));
    const fed = text.slice(0, cut);
    this.sliceText = fed;
    this.sliceCharStart = this.charsFed;
    this.sliceByteStart = this.bytesFed;
    this.inSax = true;
    try {
      this.sax.write(fed);
      this.flushDeferred();
    } catch (thrown) {
      if (thrown === RESTART) return this.lastUnitEndByte;
      if (thrown !== STOP) throw thrown;
    } finally {
      this.inSax = false;
    }
    this.charsFed += fed.length;
    this.bytesFed += Buffer.byteLength(fed);
    if (this.stopped) return undefined;
    if (restricted !== undefined) {
      // The construct's first characters ("<!-", "<?") are ASCII: 1 byte each when it began in an earlier slice.
      const at = this.byteAt(this.sliceCharStart + restricted.index);
      this.fail("restricted-xml", `byte ${at} of the stream`, `RFC 6120 11.1 forbids a ${restricted.what} in a stream`);
      return undefined;
    }
    if (encodingError !== undefined) {
      this.fail("unsupported-encoding", encodingError.where, encodingError.reason);
      return undefined;
    }
    this.checkPendingSize();
    return undefined;
  }

  /** Bounds what saxes may buffer: the open stanza, or the bytes since the last complete unit. */
  private checkPendingSize(): void {
    if (this.builder.depth > 0) {
      if (this.bytesFed - this.stanzaStartByte > this.maxStanzaBytes) {
        this.fail("policy-violation", `stanza ${this.stanzas + 1}, byte ${this.stanzaStartByte} of the stream`, `the stanza exceeds ${this.maxStanzaBytes} bytes`);
      }
    } else if (this.bytesFed - this.lastUnitEndByte > this.maxStanzaBytes) {
      const what = this.phase === "header" ? "the stream header" : "the next stanza";
      this.fail("policy-violation", `byte ${this.lastUnitEndByte} of the stream`, `more than ${this.maxStanzaBytes} bytes without completing ${what}`);
    }
  }

  /** The stream byte offset of saxes character position `pos` (in or just before the current slice). */
  private byteAt(pos: number): number {
    const rel = pos - this.sliceCharStart;
    if (rel <= 0) return this.sliceByteStart + rel; // a CR saxes carried over from the previous slice: 1 byte
    return this.sliceByteStart + Buffer.byteLength(this.sliceText.slice(0, rel));
  }

  private here(): string {
    return `byte ${this.byteAt(this.sax.position)} of the stream`;
  }

  private fail(condition: StreamErrorCondition, where: string, reason: string): void {
    if (this.failure !== undefined || this.phase === "ended") {
      if (this.inSax) throw STOP;
      return;
    }
    const error = new WireDecodeError("xmpp", where, reason, condition);
    this.failure = error;
    this.emit("error", error);
    if (this.inSax) throw STOP;
  }

  private emitChecked<K extends keyof XmppStreamEvents>(event: K, ...args: XmppStreamEvents[K]): void {
    (this.emit as (e: K, ...a: XmppStreamEvents[K]) => boolean)(event, ...args);
    if (this.restartRequested) throw RESTART;
  }

  private bindSax(): void {
    const sax = this.sax;
    sax.on("error", (err) => {
      if (/unexpected close tag/.test(err.message)) this.deferred = undefined;
      else this.flushDeferred();
      this.onSaxError(err);
    });
    sax.on("xmldecl", (decl) => this.flushDeferred() ?? this.onXmlDecl(decl));
    sax.on("doctype", () => this.flushDeferred() ?? this.fail("restricted-xml", this.here(), "RFC 6120 11.1 forbids a document type declaration"));
    sax.on("comment", () => this.flushDeferred() ?? this.fail("restricted-xml", this.here(), "RFC 6120 11.1 forbids comments"));
    sax.on("processinginstruction", () => this.flushDeferred() ?? this.fail("restricted-xml", this.here(), "RFC 6120 11.1 forbids processing instructions"));
    sax.on("opentagstart", (tag) => {
      this.flushDeferred();
      // The "<" is the name and its terminating character back from here.
      if (this.phase === "open" && this.builder.depth === 0) this.stanzaStartByte = this.byteAt(sax.position) - Buffer.byteLength(tag.name) - 2;
    });
    sax.on("opentag", (tag) => this.flushDeferred() ?? this.onOpenTag(tag));
    sax.on("closetag", (tag) => this.flushDeferred() ?? this.onCloseTag(tag));
    sax.on("text", (text) => this.flushDeferred() ?? this.onText(text));
    sax.on("cdata", (text) => this.flushDeferred() ?? this.onText(text));
  }

  private flushDeferred(): undefined {
    const deferred = this.deferred;
    this.deferred = undefined;
    deferred?.();
    return undefined;
  }

  private onSaxError(err: Error): void {
    const message = err.message.replace(/^\d+:\d+: /, "");
    // RFC 6120 11.1: entity references other than the five predefined ones are restricted.
    const condition: StreamErrorCondition = /undefined entity/.test(message) ? "restricted-xml" : "not-well-formed";
    this.fail(condition, this.here(), message);
  }

  private onXmlDecl(decl: XMLDecl): void {
    // RFC 6120 11.6: UTF-8 only; RFC 6120 11.2 (and XML 1.0 here): version 1.0.
    if (decl.encoding !== undefined && decl.encoding.toLowerCase() !== "utf-8") {
      this.fail("unsupported-encoding", this.here(), `the XML declaration names encoding ${decl.encoding}; XMPP streams are UTF-8`);
    } else if (decl.version !== "1.0") {
      this.fail("bad-format", this.here(), `XML version ${decl.version ?? "(none)"}; XMPP uses XML 1.0`);
    }
  }

  private onOpenTag(tag: SaxesTagNS): void {
    if (this.phase === "header") return this.onStreamHeader(tag);
    const depth = this.builder.depth + 1;
    if (depth > this.maxDepth) {
      return this.fail("policy-violation", `stanza ${this.stanzas + 1}, ${this.here()}`, `elements nested deeper than ${this.maxDepth}`);
    }
    if (depth === 1) {
      const refusal = checkFirstLevel(tag.uri, tag.local, this.contentNamespace, this.extraNamespaces);
      if (refusal !== undefined) return this.fail(refusal.condition, `stanza ${this.stanzas + 1}, ${this.here()}`, refusal.reason);
    }
    this.builder.openElement(tag);
  }

  private onStreamHeader(tag: SaxesTagNS): void {
    // RFC 6120 4.8.1: the root is <stream> in the streams namespace, whatever its prefix.
    if (tag.local !== "stream" || tag.uri !== NS.streams) {
      return this.fail("invalid-namespace", this.here(), `the root element is {${tag.uri}}${tag.local}, not {${NS.streams}}stream`);
    }
    const content = tag.ns[""];
    if (content === undefined || !this.contentNamespaces.has(content)) {
      return this.fail("invalid-namespace", this.here(), `content namespace ${content ?? "(none)"} is not ${[...this.contentNamespaces].join(" or ")}`);
    }
    const attrs: Record<string, string> = {};
    for (const attr of Object.values(tag.attributes)) attrs[attr.name] = attr.value;
    const version = attrs.version;
    if (version !== undefined) {
      const match = /^(\d+)\.(\d+)$/.exec(version);
      if (match === null) return this.fail("bad-format", this.here(), `stream version '${version}' is not major.minor`);
      // RFC 6120 4.7.5: a higher major version than ours cannot be negotiated down.
      if (Number(match[1]) > 1) return this.fail("unsupported-version", this.here(), `stream version ${version}`);
    }
    this.contentNamespace = content;
    this.phase = "open";
    this.lastUnitEndByte = this.byteAt(this.sax.position);
    this.emitChecked("streamStart", Object.freeze(attrs));
  }

  private onCloseTag(tag: SaxesTagNS): void {
    const { stanza, wasOpen } = this.builder.closeElement();
    if (!wasOpen) {
      // The root closed: RFC 6120 4.4.
      if (this.phase !== "open" || tag.local !== "stream") return;
      this.deferred = () => {
        this.phase = "ended";
        this.emitChecked("streamEnd");
        // Whatever follows the end of the stream is not parsed (the peer is closing).
        throw STOP;
      };
      return;
    }
    if (stanza === undefined) return;
    const end = this.byteAt(this.sax.position);
    this.stanzas++;
    if (end - this.stanzaStartByte > this.maxStanzaBytes) {
      return this.fail("policy-violation", `stanza ${this.stanzas}, byte ${this.stanzaStartByte} of the stream`, `the stanza is ${end - this.stanzaStartByte} bytes, more than ${this.maxStanzaBytes}`);
    }
    this.deferred = () => {
      this.lastUnitEndByte = end;
      this.emitChecked("stanza", stanza);
    };
  }

  private onText(text: string): void {
    if (this.builder.depth > 0) return this.builder.text(text);
    // Between stanzas only whitespace (keepalives, RFC 6120 4.6.1) may appear.
    if (this.phase === "open" && /[^ \t\r\n]/.test(text)) this.fail("bad-format", this.here(), "character data directly inside <stream:stream>");
  }
}
