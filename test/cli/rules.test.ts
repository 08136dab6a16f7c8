/**
 * `edgesim rules [ID]` and docs/rules.md, the repository's own statement of the
 * rules every test, trace and refusal cites; and the command line's manners when
 * its output is piped into a reader that stops early (`| head`).
 */
import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadRules, parseRulesDoc } from "../../harness/cli/rules-doc.ts";
import { projectPath } from "../../harness/paths/project-root.ts";

const BIN = projectPath("harness/cli/bin.mjs");
const run = promisify(execFile);
const RULE_ID = /\b(?:FED|DNS|XMPP|PIC|HLB|PORT|RP|MOB|CERT)-\d+\b/g;

/** Every .ts/.md file of the project's own folders (not node_modules, not build output). */
function projectFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|md|yaml)$/.test(name)) out.push(path);
    }
  };
  for (const top of ["edge", "harness", "partners", "test", "docs"]) walk(projectPath(top));
  // This file names an unknown ID on purpose (the usage-error test).
  return [...out, projectPath("README.md")].filter((f) => f !== import.meta.filename);
}

describe("docs/rules.md", () => {
  const { rules, seeds } = loadRules();

  it("states the 44 rules, each once, numbered without gaps, each with a meaning and a source", () => {
    expect(rules).toHaveLength(44);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    const families = [...new Set(rules.map((r) => r.id.split("-")[0]!))];
    for (const family of families) {
      const list = rules.filter((r) => r.id.startsWith(`${family}-`));
      expect(list.map((r) => r.id), family).toEqual(list.map((_, i) => `${family}-${i + 1}`));
    }
    for (const r of rules) {
      expect(r.meaning.length, r.id).toBeGreaterThan(40);
      expect(r.source, r.id).toMatch(/seeds? \d{3}|not one of the seeds/);
    }
  });

  it("names the five seed pages with their English titles, and every seed a rule cites is one of them", () => {
    expect(seeds.map((s) => s.seed)).toEqual(["000", "001", "002", "003", "004"]);
    for (const s of seeds) expect(s.url).toMatch(/^https:\/\/technet\.microsoft\.com\//);
    for (const r of rules) for (const n of r.source.match(/\b\d{3}\b/g) ?? []) expect(seeds.map((s) => s.seed), r.id).toContain(n);
  });

  it("defines every rule ID the code, the tests and the docs cite", () => {
    const known = new Set(rules.map((r) => r.id));
    const unknown = projectFiles().flatMap((file) => [...new Set(readFileSync(file, "utf8").match(RULE_ID) ?? [])].filter((id) => !known.has(id)).map((id) => `${file.replace(projectPath() + "/", "")}: ${id}`));
    expect(unknown).toEqual([]);
  });

  it("refuses an entry without a source line, naming its line", () => {
    expect(() => parseRulesDoc("## Federation\n\n### FED-1 Switch\nOff by default.\n", "x.md")).toThrow(/^x\.md:3: FED-1 has no 'Source: \.\.\.' line/);
  });
});

describe("edgesim rules", () => {
  it("`edgesim rules HLB-2` prints that rule, its source and the Microsoft page's English title", async () => {
    const { stdout } = await run(process.execPath, [BIN, "rules", "hlb-2"]);
    expect(stdout).toMatch(/^HLB-2 {2}No SNAT for the A\/V Edge/);
    expect(stdout).toContain("Source: seed 002");
    expect(stdout).toContain("seed 002: Port summary - Scaled consolidated edge with hardware load balancers");
    expect(stdout).not.toContain("HLB-1");
  });

  it("`edgesim rules` prints every rule; an unknown ID exits 2 and lists the known ones", async () => {
    const { stdout } = await run(process.execPath, [BIN, "rules", "--json"]);
    expect((JSON.parse(stdout) as { id: string }[]).map((r) => r.id)).toEqual(loadRules().rules.map((r) => r.id));
    const err = await run(process.execPath, [BIN, "rules", "FED-99"]).then(() => undefined, (e) => e as { code: number; stderr: string });
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/no rule 'FED-99'; the rules are FED-1, FED-2, .*CERT-3/);
  });
});

describe("output into a pipe that closes early (`edgesim ... | head`)", () => {
  it("ends quietly: no EPIPE stack trace, exit 0", async () => {
    const child = spawn(process.execPath, [BIN, "rules"], { stdio: ["ignore", "pipe", "pipe"] });
    // The reader leaves before the command writes (it needs ~1 s to start): every write meets a closed pipe.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
