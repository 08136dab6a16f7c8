/**
 * Scenarios a person can read (after Prosody's scansion scripts): each step is a
 * sentence, an action ("alice@contoso.test sends "hi" to bob@fabrikam.test") or an
 * expectation about the action before it ("expect refused by FED-6"). Features
 * add sentences by registering step kinds (steps/registry.ts); the runner only
 * matches sentences and collects results.
 */
import type { World } from "../world/world.ts";
import type { EdgeEvent } from "../../edge/events/types.ts";

export interface ActionResult {
  /** The step kind that produced it, e.g. "sip.send". */
  kind: string;
  /** One line for the report: what happened. */
  summary: string;
  /** What expectations read: status, rules, delivered, verification, ... */
  data: Record<string, unknown>;
}

export interface ScenarioContext {
  world: World;
  /** Every event since the scenario started (for expectations on traces). */
  events: EdgeEvent[];
  /** The last action's result. */
  last?: ActionResult;
  /** Where the scenario file lives (for relative paths). */
  dir: string;
}

export interface ActionKind {
  name: string;
  /** An example sentence, for `edgesim run --help-steps` and docs. */
  example: string;
  pattern: RegExp;
  run(ctx: ScenarioContext, m: RegExpMatchArray): Promise<ActionResult>;
}

export interface Check {
  ok: boolean;
  /** What was found, said so that a failure explains itself. */
  detail: string;
}

export interface ExpectationKind {
  name: string;
  example: string;
  pattern: RegExp;
  check(ctx: ScenarioContext, last: ActionResult | undefined, m: RegExpMatchArray): Check | Promise<Check>;
}

export interface StepOutcome {
  step: string;
  line: number;
  kind: "action" | "expect";
  ok: boolean;
  detail: string;
}

export interface ScenarioOutcome {
  file: string;
  name: string;
  ok: boolean;
  steps: StepOutcome[];
  elapsedMs: number;
}
