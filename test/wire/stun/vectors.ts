// Loads the RFC 5769 vectors used by the STUN tests (test/fixtures/rfc5769.json).
import { readFileSync } from "node:fs";
import { fixturePath } from "../../kit/fixtures.ts";

export interface Rfc5769Vector {
  readonly section: string;
  readonly hex: string;
  readonly password: string;
  readonly software?: string;
  readonly xor_mapped_address?: string;
  readonly username?: string;
  readonly realm?: string;
  readonly nonce?: string;
}

const file = JSON.parse(readFileSync(fixturePath("rfc5769.json"), "utf8")) as { vectors: Record<string, Rfc5769Vector> };

export const VECTORS = file.vectors;
export const vector = (name: string): Rfc5769Vector => {
  const v = VECTORS[name];
  if (!v) throw new RangeError(`no RFC 5769 vector named ${name}`);
  return v;
};
export const bytesOf = (name: string): Buffer => Buffer.from(vector(name).hex, "hex");

/** RFC 5769 2.4 as published, before SASLprep: "The" SOFT HYPHEN "M" FEMININE ORDINAL "tr" ROMAN NUMERAL NINE. */
export const RFC5769_LONG_TERM_RAW_PASSWORD = "The\u00adM\u00aatr\u2168";
