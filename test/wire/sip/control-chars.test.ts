/**
 * Control characters in a SIP head (RFC 3261 25.1): a NUL, another C0 control, DEL or
 * a bare CR in a header value or the start-line makes the request a 400 that names the
 * field and the character; a response with one is discarded (RFC 4475 3.1.2). HTAB
 * (LWS), UTF8-NONASCII and a quoted-pair inside a quoted-string stay legal. On a
 * stream the framing is intact, so the next message on the connection still parses.
 */
import { describe, expect, it } from "vitest";
import { WireDecodeError } from "../../../edge/wire/decode-error.ts";
import { parseSipDatagram, SipStreamFramer, type SipRequest } from "../../../edge/wire/sip/index.ts";

/** Header lines as written; the body is empty. `\n` becomes CRLF; control bytes stay as they are. */
function message(lines: string[], startLine = "MESSAGE sip:bob@fabrikam.test SIP/2.0"): Buffer {
  return Buffer.from(
    [
      startLine,
      "Via: SIP/2.0/TLS fe01.contoso.test:5061;branch=z9hG4bKctl1",
      "Max-Forwards: 70",
      "From: <sip:carol@contoso.test>;tag=1",
      "To: <sip:bob@fabrikam.test>",
      "Call-ID: ctl-1@contoso.test",
      `CSeq: 1 ${startLine.startsWith("SIP/") ? "MESSAGE" : startLine.split(" ")[0]}`,
      ...lines,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
    "utf8",
  );
}

function decodeError(bytes: Buffer): WireDecodeError {
  try {
    parseSipDatagram(bytes);
  } catch (err) {
    if (err instanceof WireDecodeError) return err;
    throw err;
  }
  throw new Error("parsed without an error");
}

describe("RFC3261-25.1: control characters outside the grammar are a 400", () => {
  const refused: Array<[string, string, string]> = [
    ["NUL in an extension header", "Subject: hello\x00world", "U+0000"],
    ["NUL at the end of a value", "X-Note: trailing\x00", "U+0000"],
    ["BEL (another C0 control)", "Subject: ring\x07", "U+0007"],
    ["ESC in a display name outside quotes", "Contact: bad\x1bname <sip:carol@127.0.0.1>", "U+001B"],
    ["DEL", "Subject: del\x7f", "U+007F"],
    ["a bare CR (not followed by LF)", "Subject: split\rhere", "U+000D"],
    ["NUL in a quoted-string not escaped by a quoted-pair", 'Subject: "quoted \x00 nul"', "U+0000"],
  ];
  for (const [name, line, char] of refused)
    it(`RFC3261-25.1: ${name} is refused with 400 naming the field and the character`, () => {
      const err = decodeError(message([line]));
      expect(err.wireCode).toBe(400);
      expect(err.where).toMatch(/^header '(Subject|X-Note|Contact)' \(line 8\)$/);
      expect(err.reason).toContain(char);
    });

  it("RFC3261-25.1: a NUL in the Request-URI is refused at the start-line", () => {
    const err = decodeError(message([], "MESSAGE sip:bob\x00@fabrikam.test SIP/2.0"));
    expect(err.wireCode).toBe(400);
    expect(err.where).toBe("start-line");
    expect(err.reason).toContain("U+0000");
  });

  it("RFC3261-25.1: a NUL in a mandatory field (Call-ID) is refused too", () => {
    const bytes = Buffer.from(message([]).toString("latin1").replace("Call-ID: ctl-1", "Call-ID: ctl\x00-1"), "latin1");
    expect(decodeError(bytes).where).toMatch(/^header 'Call-ID'/);
  });

  it("RFC4475-3.1.2: a response holding a control character is discarded, never answered (no wire code)", () => {
    const err = decodeError(message(["Subject: bad\x00"], "SIP/2.0 200 OK"));
    expect(err.wireCode).toBeUndefined();
  });
});

describe("RFC3261-25.1: what the grammar allows stays legal", () => {
  it("RFC3261-25.1: HTAB as whitespace, UTF8-NONASCII text, and a quoted-pair escaping a control inside a quoted-string", () => {
    const req = parseSipDatagram(message([
      "Subject:\tlunch\tat noon",
      "X-Greeting: héllo wörld ✓",
      'Contact: "odd \\\x01 name" <sip:carol@127.0.0.1:5061;transport=tls>',
    ])) as SipRequest;
    expect(req.headers.get("Subject")).toBe("lunch\tat noon");
    expect(req.headers.get("X-Greeting")).toBe("héllo wörld ✓");
    expect(req.contacts()[0]?.displayName).toBe("odd \x01 name");
  });

  it("RFC3261-25.1: a quoted-pair may not escape CR", () => {
    expect(decodeError(message(['Subject: "cr \\\r here"'])).reason).toContain("U+000D");
  });
});

describe("RFC3261-18.3: on a stream the framing is intact, so the connection keeps serving", () => {
  it("RFC3261-25.1: a request with a NUL is malformed (400), and the request after it on the same stream is delivered", () => {
    const bad = message(["Subject: nul\x00here"]);
    const good = Buffer.from(message([]).toString("latin1").replace("ctl-1@", "ctl-2@"), "latin1");
    const events = new SipStreamFramer().push(Buffer.concat([bad, good]));
    expect(events.map((e) => e.type)).toEqual(["malformed", "message"]);
    const [first, second] = events;
    expect(first?.type === "malformed" ? first.error.wireCode : undefined).toBe(400);
    expect(second?.type === "message" ? second.message.callId() : undefined).toBe("ctl-2@contoso.test");
  });
});
