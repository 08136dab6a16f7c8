/**
 * The files a command writes (`--trace`, `--pcap`) start empty each time the command
 * runs: both overwrite, so a trace never mixes this run's events with an older
 * run's. Within one command they grow: `edgesim run a.yaml b.yaml --trace t.jsonl`
 * keeps every scenario's events, in order, in one file (the trace sink appends).
 */
import { writeFileSync } from "node:fs";

export const TRACE_HELP = "write every event as JSON Lines to this file (overwritten)";
export const PCAP_HELP = "write the forwarded packets of every leg as a pcap file (overwritten; tshark -r FILE)";

/** Empties (or creates) the trace file before the command's worlds start appending to it. */
export function startTraceFile(file: string | undefined): void {
  if (file !== undefined) writeFileSync(file, "");
}
