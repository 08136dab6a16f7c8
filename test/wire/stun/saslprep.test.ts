// SASLprep, RFC 4013 section 3 examples plus the RFC 5769 2.4 password.
import { describe, expect, it } from "vitest";
import { saslprep } from "../../../edge/wire/stun/index.ts";

describe("SASLprep (RFC 4013)", () => {
  it.each([
    { name: "SOFT HYPHEN mapped to nothing", input: "I\u00adX", out: "IX" },
    { name: "no transformation", input: "user", out: "user" },
    { name: "case preserved", input: "USER", out: "USER" },
    { name: "output is NFKC", input: "\u00aa", out: "a" },
    { name: "output is NFKC (roman numeral)", input: "\u2168", out: "IX" },
    { name: "RFC 5769 2.4 password", input: "The\u00adM\u00aatr\u2168", out: "TheMatrIX" },
    { name: "non-ASCII space mapped to SPACE", input: "a\u3000b", out: "a b" },
    { name: "zero-width joiner removed", input: "a\u200db", out: "ab" },
    { name: "RTL only", input: "\u05d0\u05d1", out: "\u05d0\u05d1" },
  ])("$name", ({ input, out }) => {
    expect(saslprep(input)).toBe(out);
  });

  it.each([
    { name: "ASCII control (BEL)", input: "\u0007" },
    { name: "bidi: RTL then digit", input: "\u0627\u0031" },
    { name: "bidi: RTL mixed with LTR", input: "\u05d0a\u05d0" },
    { name: "private use", input: "a\ue000" },
    { name: "lone surrogate", input: "a\ud800" },
    { name: "non-character U+FFFE", input: "\ufffe" },
    { name: "tagging character", input: "a\u{e0041}" },
  ])("prohibits $name", ({ input }) => {
    expect(() => saslprep(input)).toThrow(RangeError);
  });
});
