/**
 * Splitting a diff across CI runners (`--shard I/N --json`) and joining the
 * shards' JSON back into one verdict (`--merge FILES...`). The offline diff is
 * cheap and computed whole on every runner, so every shard knows the total and
 * the expectations; a shard keeps every N-th changed cell (and confirms only
 * those with --live). Merging checks that every shard of one diff is there.
 */
import { readFileSync } from "node:fs";

export interface ShardSpec {
  index: number;
  count: number;
}

export class ShardError extends Error {}

export function parseShard(spec: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new ShardError(`--shard ${spec}: expected I/N with 1 <= I <= N, e.g. 2/4`);
  return { index, count };
}

export function inShard<T>(items: T[], s: ShardSpec): T[] {
  return items.filter((_, i) => i % s.count === s.index - 1);
}

interface ShardJson {
  before: string;
  after: string;
  cellsCompared: number;
  exitCode: number;
  changes: { expected?: boolean }[];
  unmet?: unknown[];
  live?: { status: string }[];
  shard?: { index: number; count: number; totalChanges: number };
}

export interface MergedDiff {
  before: string;
  after: string;
  cellsCompared: number;
  shards: number;
  changes: unknown[];
  unmet: unknown[];
  live?: unknown[];
  exitCode: number;
}

export function mergeShardFiles(files: string[]): MergedDiff {
  const shards = files.map((f) => {
    try {
      return { file: f, json: JSON.parse(readFileSync(f, "utf8")) as ShardJson };
    } catch (err) {
      throw new ShardError(`${f}: not a diff --json file (${(err as Error).message})`);
    }
  });
  const first = shards[0]?.json;
  if (!first?.shard) throw new ShardError(`${files[0] ?? "(no files)"}: not the output of diff --shard I/N --json`);
  const { count, totalChanges } = first.shard;
  const seen = new Map<number, string>();
  for (const { file, json } of shards) {
    if (!json.shard || json.shard.count !== count || json.before !== first.before || json.after !== first.after || json.shard.totalChanges !== totalChanges)
      throw new ShardError(`${file}: a shard of another diff (expected ${first.before} -> ${first.after}, ${count} shards, ${totalChanges} changes)`);
    if (seen.has(json.shard.index)) throw new ShardError(`${file}: shard ${json.shard.index}/${count} is also in ${seen.get(json.shard.index)}`);
    seen.set(json.shard.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new ShardError(`missing shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${count}`).join(", ")}: the merged verdict would be incomplete`);
  const changes = shards.flatMap((s) => s.json.changes);
  const live = shards.some((s) => s.json.live) ? shards.flatMap((s) => s.json.live ?? []) : undefined;
  const expectations = shards.some((s) => s.json.unmet !== undefined);
  const unmet = first.unmet ?? [];
  const exitCode = live?.some((l) => l.status === "disagrees") ? 2 : expectations ? (changes.some((c) => c.expected === false) || unmet.length ? 1 : 0) : changes.length ? 1 : 0;
  return { before: first.before, after: first.after, cellsCompared: first.cellsCompared, shards: count, changes, unmet, ...(live ? { live } : {}), exitCode };
}
