/**
 * The topology's JSON Schema, generated from the zod schema (so the two cannot
 * disagree), for editors that complete YAML: `edgesim schema > topology.schema.json`
 * and a `# yaml-language-server: $schema=...` line at the top of the file.
 */
import { z } from "zod";
import { TopologySchema } from "./schema.ts";

export function topologyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(TopologySchema, { io: "input", unrepresentable: "any" }),
    $id: "https://edgesim.test/topology.schema.json",
    title: "edgesim topology",
  };
}
