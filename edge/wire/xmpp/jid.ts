/**
 * JIDs, RFC 7622: [localpart "@"] domainpart ["/" resourcepart].
 *
 * Parsing follows RFC 7622 3.1: the resourcepart is everything after the first "/"
 * (it may itself contain "@" and "/"); before it, at most one "@" separates the
 * localpart from the domainpart. Each part is 1 to 1023 bytes of UTF-8 (3.2-3.4).
 *
 * The PRECIS profiles are approximated without Unicode tables beyond those of the
 * JavaScript engine:
 * - localpart (3.3, UsernameCaseMapped): NFC, lower case; ASCII printable characters
 *   except the eight RFC 7622 3.3.1 excludes ("&'/:<>@) or letters, marks and decimal
 *   digits that have no compatibility decomposition (IdentifierClass); no spaces,
 *   symbols or controls.
 * - domainpart (3.2): lower case, a final "." stripped, labels of letters, marks,
 *   digits and "-" separated by ".", or an IPv6 literal in brackets. No IDNA2008
 *   A-label conversion.
 * - resourcepart (3.4, OpaqueString): NFC, any character but controls.
 */
import { WireDecodeError } from "../decode-error.ts";

const MAX_PART_BYTES = 1023;
const LOCAL_EXCLUDED = new Set(['"', "&", "'", "/", ":", "<", ">", "@"]);

function malformed(input: string, reason: string): WireDecodeError {
  return new WireDecodeError("xmpp", `JID '${input.length > 80 ? `${input.slice(0, 80)}...` : input}'`, reason, "jid-malformed");
}

function checkLength(input: string, part: string, name: string): void {
  if (part.length === 0) throw malformed(input, `empty ${name}`);
  if (Buffer.byteLength(part, "utf8") > MAX_PART_BYTES) throw malformed(input, `${name} longer than ${MAX_PART_BYTES} bytes`);
}

function prepareLocal(input: string, raw: string): string {
  const local = raw.normalize("NFC").toLowerCase();
  checkLength(input, local, "localpart");
  for (const ch of local) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x21 && code <= 0x7e) {
      if (LOCAL_EXCLUDED.has(ch)) throw malformed(input, `'${ch}' is not allowed in a localpart (RFC 7622 3.3.1)`);
      continue;
    }
    if (!/^[\p{L}\p{M}\p{Nd}]$/u.test(ch) || ch.normalize("NFKC") !== ch) {
      throw malformed(input, `U+${code.toString(16).toUpperCase().padStart(4, "0")} is not allowed in a localpart (RFC 7622 3.3.1)`);
    }
  }
  return local;
}

function prepareDomain(input: string, raw: string): string {
  let domain = raw.normalize("NFC").toLowerCase();
  if (domain.endsWith(".")) domain = domain.slice(0, -1); // RFC 7622 3.2
  checkLength(input, domain, "domainpart");
  if (domain.startsWith("[")) {
    if (!/^\[[0-9a-f:.]+\]$/.test(domain) || !domain.includes(":")) throw malformed(input, "malformed IPv6 literal domainpart");
    return domain;
  }
  for (const label of domain.split(".")) {
    if (label.length === 0) throw malformed(input, "empty label in the domainpart");
    if (label.length > 63) throw malformed(input, "domain label longer than 63 characters");
    if (!/^[\p{L}\p{M}\p{N}-]+$/u.test(label)) throw malformed(input, `domain label '${label}' has characters a hostname cannot have`);
    if (label.startsWith("-") || label.endsWith("-")) throw malformed(input, `domain label '${label}' starts or ends with '-'`);
  }
  return domain;
}

function prepareResource(input: string, raw: string): string {
  const resource = raw.normalize("NFC");
  checkLength(input, resource, "resourcepart");
  if (/[\p{Cc}]/u.test(resource)) throw malformed(input, "control character in the resourcepart (RFC 7622 3.4)");
  return resource;
}

export class Jid {
  readonly local: string | undefined;
  readonly domain: string;
  readonly resource: string | undefined;

  private constructor(local: string | undefined, domain: string, resource: string | undefined) {
    this.local = local;
    this.domain = domain;
    this.resource = resource;
    Object.freeze(this);
  }

  /** Parses and normalises a JID; throws WireDecodeError with wireCode "jid-malformed". */
  static parse(input: string): Jid {
    const slash = input.indexOf("/");
    const beforeSlash = slash < 0 ? input : input.slice(0, slash);
    const at = beforeSlash.indexOf("@");
    if (at >= 0 && beforeSlash.indexOf("@", at + 1) >= 0) throw malformed(input, "more than one '@' before the resourcepart");
    const local = at < 0 ? undefined : prepareLocal(input, beforeSlash.slice(0, at));
    const domain = prepareDomain(input, at < 0 ? beforeSlash : beforeSlash.slice(at + 1));
    const resource = slash < 0 ? undefined : prepareResource(input, input.slice(slash + 1));
    return new Jid(local, domain, resource);
  }

  /** Like parse(), undefined instead of throwing. */
  static tryParse(input: string): Jid | undefined {
    try {
      return Jid.parse(input);
    } catch (err) {
      if (err instanceof WireDecodeError) return undefined;
      throw err;
    }
  }

  /** Builds a JID from parts, validated as parse() does. */
  static of(local: string | undefined, domain: string, resource?: string): Jid {
    const text = `${local !== undefined ? `${local}@` : ""}${domain}${resource !== undefined ? `/${resource}` : ""}`;
    const jid = Jid.parse(text);
    if (jid.local !== (local === undefined ? undefined : prepareLocal(text, local))) throw malformed(text, "the parts do not make a JID");
    return jid;
  }

  /** local@domain without the resource (RFC 6120 1.4 "bare JID"). */
  bare(): Jid {
    return this.resource === undefined ? this : new Jid(this.local, this.domain, undefined);
  }

  isBare(): boolean {
    return this.resource === undefined;
  }

  /** Compares the normalised forms; a string is parsed first (and is unequal if malformed). */
  equals(other: Jid | string): boolean {
    const that = typeof other === "string" ? Jid.tryParse(other) : other;
    return that !== undefined && that.local === this.local && that.domain === this.domain && that.resource === this.resource;
  }

  toString(): string {
    return `${this.local !== undefined ? `${this.local}@` : ""}${this.domain}${this.resource !== undefined ? `/${this.resource}` : ""}`;
  }
}
