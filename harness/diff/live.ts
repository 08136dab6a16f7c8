/**
 * `diff --live`: every changed cell sent for real, once in the BEFORE world and
 * once in the AFTER world, with the scenario runner's own sentences (an IM is
 * `a sends "..." to b`, A/V is `a calls b`, XMPP is `x sends "..." to a over
 * XMPP`). A live result that disagrees with the offline verdict is an error: the
 * simulator and its explanation must never tell two stories.
 */
import { World, type WorldOptions } from "../world/world.ts";
import type { Topology } from "../topology/schema.ts";
import { ACTIONS } from "../scenarios/steps/registry.ts";
import type { ScenarioContext } from "../scenarios/types.ts";
import type { MatrixCell } from "../matrix/cells.ts";
import type { CellChange } from "./diff.ts";

export type LiveStatus = "agrees" | "disagrees" | "unconfirmed";

export interface LiveCheck {
  side: "before" | "after";
  cell: MatrixCell;
  sentence: string;
  status: LiveStatus;
  /** What really happened (delivered or not), when the sentence ran. */
  delivered?: boolean;
  detail: string;
  elapsedMs: number;
}

export type LiveWorldOptions = Omit<WorldOptions, "topology" | "bus">;

/** The scenario sentence that exercises one cell for real. */
export function sentenceFor(c: MatrixCell, n: number): string {
  const text = `edgesim diff check ${n}`;
  switch (c.modality) {
    case "xmpp":
      return c.direction === "inbound" ? `${c.remote} sends "${text}" to ${c.user} over XMPP` : `${c.user} sends "${text}" to ${c.remote} over XMPP`;
    case "av":
      return c.direction === "inbound" ? `${c.remote} calls ${c.user}` : `${c.user} calls ${c.remote}`;
    default:
      return c.direction === "inbound" ? `${c.remote} sends "${text}" to ${c.user}` : `${c.user} sends "${text}" to ${c.remote}`;
  }
}

async function runSentence(ctx: ScenarioContext, sentence: string): Promise<{ delivered: boolean; status?: number; summary: string }> {
  for (const a of ACTIONS) {
    const m = sentence.match(a.pattern);
    if (!m) continue;
    const r = await a.run(ctx, m);
    return { delivered: r.data.delivered === true, ...(typeof r.data.status === "number" ? { status: r.data.status } : {}), summary: r.summary };
  }
  throw new RangeError(`no scenario step understands '${sentence}'`);
}

export async function checkCellsLive(topology: Topology, side: "before" | "after", cells: MatrixCell[], opts: LiveWorldOptions): Promise<LiveCheck[]> {
  if (cells.length === 0) return [];
  const world = await World.start({ ...opts, topology });
  const recording = world.bus.record();
  const ctx: ScenarioContext = { world, events: recording.events, dir: process.cwd() };
  const out: LiveCheck[] = [];
  try {
    for (const [i, cell] of cells.entries()) {
      const sentence = sentenceFor(cell, i + 1);
      const started = Date.now();
      try {
        const r = await runSentence(ctx, sentence);
        // A refusal agrees only when it is the same refusal: a 504 (nothing answered) is not the 403 the policy gives.
        const sameRefusal = cell.deliverable || r.status === undefined || cell.status === undefined || r.status === cell.status;
        const status: LiveStatus = r.delivered === cell.deliverable && sameRefusal ? "agrees" : "disagrees";
        out.push({ side, cell, sentence, status, delivered: r.delivered, detail: r.summary, elapsedMs: Date.now() - started });
      } catch (err) {
        out.push({ side, cell, sentence, status: "unconfirmed", detail: (err as Error).message, elapsedMs: Date.now() - started });
      }
    }
  } finally {
    recording.stop();
    await world.stop();
  }
  return out;
}

/** Both worlds, one after the other (they share the address plan). */
export async function confirmChangesLive(before: Topology, after: Topology, changes: CellChange[], opts: LiveWorldOptions): Promise<LiveCheck[]> {
  const b = await checkCellsLive(before, "before", changes.flatMap((c) => (c.before ? [c.before.cell] : [])), opts);
  const a = await checkCellsLive(after, "after", changes.flatMap((c) => (c.after ? [c.after.cell] : [])), opts);
  return [...b, ...a];
}
