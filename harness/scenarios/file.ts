/**
 * The scenario file: YAML with a name, the topology (a registry name or a path
 * relative to the file), optional `set:` changes to it, and the steps.
 *
 *   name: Enhanced federation with fabrikam
 *   topology: contoso
 *   set:
 *     federation.EnablePartnerDiscovery: false
 *     partners[domain=fabrikam.test].loadBalancing: dns
 *   steps:
 *     - alice@contoso.test sends "hello" to bob@fabrikam.test
 *     - expect delivered, verifiable
 *
 * Errors name the file, line and field, like topology errors.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument, isSeq, isScalar, isMap } from "yaml";
import { TopologyConfigError, type ConfigProblem } from "../topology/config-error.ts";
import { closestName } from "../topology/schema-issues.ts";

export interface ScenarioStep {
  text: string;
  line: number;
}

export interface ScenarioFile {
  file: string;
  dir: string;
  name: string;
  description?: string;
  topology: string;
  set: { path: string; value: unknown; line: number }[];
  steps: ScenarioStep[];
}

export function readScenarioFile(file: string): ScenarioFile {
  const text = readFileSync(file, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const problem = (line: number, field: string, message: string): ConfigProblem => ({ file, line, column: 1, field, message });
  const problems: ConfigProblem[] = doc.errors.map((e) => problem(lines.linePos(e.pos[0]).line, "(yaml)", e.message.split("\n")[0] ?? e.code));
  if (problems.length) throw new TopologyConfigError(problems);
  const root = doc.contents;
  if (!isMap(root)) throw new TopologyConfigError([problem(1, "(top level)", "a scenario is a mapping with name, topology and steps")]);
  const lineOf = (node: unknown) => (node && typeof node === "object" && "range" in node && Array.isArray((node as { range?: number[] }).range) ? lines.linePos((node as { range: number[] }).range[0]!).line : 1);
  const known = new Set(["name", "description", "topology", "set", "steps"]);
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "?";
    const guess = known.has(key) ? undefined : closestName(key, [...known]);
    if (!known.has(key)) problems.push(problem(lineOf(pair.key), key, `unknown field '${key}'${guess ? `: did you mean '${guess}'?` : ""} (a scenario has ${[...known].join(", ")})`));
  }
  const name = root.get("name");
  if (typeof name !== "string" || !name) problems.push(problem(1, "name", "missing: every scenario has a name"));
  const stepsNode = root.get("steps", true);
  const steps: ScenarioStep[] = [];
  if (!isSeq(stepsNode) || stepsNode.items.length === 0) problems.push(problem(lineOf(stepsNode), "steps", "missing: a list of step sentences"));
  else
    stepsNode.items.forEach((item, i) => {
      if (isScalar(item) && typeof item.value === "string") steps.push({ text: item.value.trim(), line: lineOf(item) });
      else problems.push(problem(lineOf(item), `steps[${i}]`, "each step is one sentence (a string)"));
    });
  const set: ScenarioFile["set"] = [];
  const setNode = root.get("set", true);
  if (setNode !== undefined) {
    if (!isMap(setNode)) problems.push(problem(lineOf(setNode), "set", "set is a mapping of topology paths to values"));
    else for (const pair of setNode.items) set.push({ path: String(isScalar(pair.key) ? pair.key.value : pair.key), value: isScalar(pair.value) || isSeq(pair.value) || isMap(pair.value) ? (pair.value as { toJSON(): unknown }).toJSON() : pair.value, line: lineOf(pair.key) });
  }
  if (problems.length) throw new TopologyConfigError(problems);
  const topology = root.get("topology");
  const description = root.get("description");
  return {
    file,
    dir: dirname(resolve(file)),
    name: String(name),
    ...(typeof description === "string" ? { description } : {}),
    topology: typeof topology === "string" ? topology : "contoso",
    set,
    steps,
  };
}
