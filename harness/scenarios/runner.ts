/**
 * Runs scenario files: builds the world from the scenario's topology (with its
 * `set:` changes), runs each sentence in order, and checks each expectation
 * against the action before it. A sentence no step kind understands fails the
 * scenario with the list of known sentences; an action that throws fails its step
 * and the scenario stops (later steps would only repeat the failure).
 */
import { resolve } from "node:path";
import { existsSync } from "node:fs";
import { TopologySchema, type Addressing, type Topology } from "../topology/schema.ts";
import { loadTopology } from "../topology/registry.ts";
import { checkTopology } from "../topology/checks.ts";
import { pathToField, TopologyConfigError, type FieldPath } from "../topology/config-error.ts";
import { schemaProblems, withoutBadParts } from "../topology/schema-issues.ts";
import { World } from "../world/world.ts";
import type { EventBus } from "../events/bus.ts";
import { readScenarioFile, type ScenarioFile } from "./file.ts";
import { setLineOf, setPath } from "./set-path.ts";
import { ACTIONS, EXPECTATION_KINDS } from "./steps/registry.ts";
import type { ScenarioContext, ScenarioOutcome, StepOutcome } from "./types.ts";

export interface RunOptions {
  stateDir?: string;
  /** Move the world to other zones (tests run scenarios side by side). */
  addressing?: Addressing;
  privileged?: boolean;
  tracePath?: string;
  /** The bus the world emits on (`edgesim run --pcap` attaches its pcap writer to it); default a new one per world. */
  bus?: EventBus;
  /** Which balancer forwards the VIPs (`edgesim run --balancer`); default: the scenario topology's. */
  balancer?: "userland" | "kernel";
}

export function scenarioTopology(s: ScenarioFile, addressing?: Addressing): Topology {
  const local = resolve(s.dir, s.topology);
  const base = structuredClone(loadTopology(existsSync(local) ? local : s.topology)) as unknown as Record<string, unknown>;
  for (const change of s.set) setPath(base, change.path, change.value);
  if (addressing) base.addressing = addressing;
  const parsed = TopologySchema.safeParse(base);
  // Schema and cross-field problems in one pass, each at the `set:` line that wrote its field.
  const issues = parsed.success ? [] : parsed.error.issues;
  const checked = parsed.success ? parsed.data : withoutBadParts(TopologySchema, base, issues);
  const problems: { path: FieldPath; message: string; rule?: string }[] = [...schemaProblems(TopologySchema, base, issues), ...(checked ? checkTopology(checked) : [])];
  if (!parsed.success || problems.length)
    throw new TopologyConfigError(problems.map((p) => ({ file: s.file, line: setLineOf(s.set, p.path), column: 1, field: pathToField(p.path), message: `after set: ${p.message}`, ...(p.rule ? { rule: p.rule } : {}) })));
  return parsed.data;
}

export async function runScenario(file: string, opts: RunOptions = {}): Promise<ScenarioOutcome> {
  const started = Date.now();
  const s = readScenarioFile(file);
  const topology = scenarioTopology(s, opts.addressing);
  if (opts.balancer) topology.organisation.edgePool.balancer = opts.balancer;
  const world = await World.start({ topology, ...(opts.stateDir ? { stateDir: opts.stateDir } : {}), ...(opts.privileged !== undefined ? { privileged: opts.privileged } : {}), ...(opts.tracePath ? { tracePath: opts.tracePath } : {}), ...(opts.bus ? { bus: opts.bus } : {}) });
  const recording = world.bus.record();
  const ctx: ScenarioContext = { world, events: recording.events, dir: s.dir };
  const steps: StepOutcome[] = [];
  try {
    for (const step of s.steps) {
      const outcome = await runStep(ctx, step.text, step.line);
      steps.push(outcome);
      if (!outcome.ok && outcome.kind === "action") break;
    }
  } finally {
    recording.stop();
    await world.stop();
  }
  const ran = steps.length === s.steps.length;
  if (!ran) steps.push({ step: `(${s.steps.length - steps.length} steps not run)`, line: s.steps[steps.length]?.line ?? 0, kind: "action", ok: false, detail: "stopped after a failed action" });
  return { file, name: s.name, ok: steps.every((x) => x.ok), steps, elapsedMs: Date.now() - started };
}

async function runStep(ctx: ScenarioContext, text: string, line: number): Promise<StepOutcome> {
  for (const e of EXPECTATION_KINDS) {
    const m = text.match(e.pattern);
    if (!m) continue;
    try {
      const r = await e.check(ctx, ctx.last, m);
      return { step: text, line, kind: "expect", ok: r.ok, detail: r.detail };
    } catch (err) {
      return { step: text, line, kind: "expect", ok: false, detail: (err as Error).message };
    }
  }
  for (const a of ACTIONS) {
    const m = text.match(a.pattern);
    if (!m) continue;
    try {
      ctx.last = await a.run(ctx, m);
      return { step: text, line, kind: "action", ok: true, detail: ctx.last.summary };
    } catch (err) {
      ctx.last = undefined;
      return { step: text, line, kind: "action", ok: false, detail: `${a.name} failed: ${(err as Error).message}` };
    }
  }
  const known = [...ACTIONS.map((a) => a.example), ...EXPECTATION_KINDS.map((e) => e.example)];
  return { step: text, line, kind: "action", ok: false, detail: `no step understands this sentence; known sentences:\n    ${known.join("\n    ")}` };
}
