/**
 * `--expect FILE`: the changes a change request intends, so CI fails only on the
 * others. A YAML (or JSON) list under `changes:`; every field is optional and an
 * entry matches a changed cell when all its fields do:
 *   changes:
 *     - { partner: spam.example, to: refused, reason: "block spam (CHG-1234)" }
 *     - { policy: "Tag:NoFederation", modality: im }
 * An entry that matches no change is reported too: the intended change did not happen.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { parse } from "yaml";
import type { CellChange } from "./diff.ts";

const ExpectEntry = z.strictObject({
  user: z.string().optional(),
  policy: z.string().optional(),
  partner: z.string().optional(),
  direction: z.enum(["outbound", "inbound"]).optional(),
  modality: z.enum(["im", "av", "xmpp"]).optional(),
  to: z.enum(["allowed", "refused", "unreachable", "absent"]).optional().describe("the verdict after the change (unreachable: allowed by policy, but DNS leads nowhere)"),
  rule: z.string().optional().describe("the deciding rule after the change"),
  reason: z.string().optional().describe("why the change is intended (free text, printed back)"),
});
const ExpectFile = z.strictObject({ changes: z.array(ExpectEntry) });
export type ExpectedChange = z.infer<typeof ExpectEntry>;

export class ExpectFileError extends Error {}

export function readExpectFile(file: string): ExpectedChange[] {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ExpectFileError(`${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = ExpectFile.safeParse(raw);
  if (!parsed.success) throw new ExpectFileError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`);
  return parsed.data.changes;
}

function same(a: string | undefined, b: string): boolean {
  return a === undefined || a.toLowerCase() === b.toLowerCase();
}

export function matches(e: ExpectedChange, c: CellChange): boolean {
  const to = c.after ? (c.after.deliverable ? "allowed" : c.after.allowed ? "unreachable" : "refused") : "absent";
  const policies = [c.before?.policy, c.after?.policy].filter((p): p is string => !!p);
  return (
    same(e.user, c.user) && same(e.partner, c.partner) && same(e.direction, c.direction) && same(e.modality, c.modality) && same(e.to, to) &&
    (e.rule === undefined || same(e.rule, c.after?.rule ?? "")) &&
    (e.policy === undefined || policies.some((p) => same(e.policy, p)))
  );
}

export interface ExpectationOutcome {
  expected: CellChange[];
  unexpected: CellChange[];
  /** Entries that matched no change: the intended change did not happen. */
  unmet: ExpectedChange[];
}

export function checkExpectations(changes: CellChange[], expected: ExpectedChange[]): ExpectationOutcome {
  const used = new Set<number>();
  const out: ExpectationOutcome = { expected: [], unexpected: [], unmet: [] };
  for (const c of changes) {
    const i = expected.findIndex((e) => matches(e, c));
    if (i < 0) out.unexpected.push(c);
    else {
      out.expected.push(c);
      expected.forEach((e, j) => matches(e, c) && used.add(j));
    }
  }
  out.unmet = expected.filter((_, j) => !used.has(j));
  return out;
}
