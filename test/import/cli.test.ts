import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "../../harness/cli/bin.mjs");
const FIXTURE = join(import.meta.dirname, "../fixtures/import/contoso-format-list.txt");
const dir = mkdtempSync(join(tmpdir(), "edgesim-import-cli-"));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [BIN, ...args]).then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
}

// Each run starts a node process that loads the whole program: seconds on a busy 2-core machine.
describe("edgesim import (the command)", { timeout: 90_000 }, () => {
  it("writes a topology that edgesim validate accepts; exit 0 with warnings only", async () => {
    const out = join(dir, "ok.yaml");
    const r = await cli("import", FIXTURE, "-o", out, "--partner", "fabrikam.example=lync2010");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/contoso-format-list\.txt:124: warning: gone@contoso\.example is not enabled/);
    expect(r.stderr).toMatch(/14 records read, 0 not imported, 2 warnings; wrote .*ok\.yaml/);
    expect(readFileSync(out, "utf8")).toMatch(/# allowed domain \(FED-3\); product lync2010 from --partner\n\s+- domain: fabrikam\.example\n\s+product: lync2010/);
    const v = await cli("validate", out);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/valid topology 'imported' \(1 edge servers, 6 partners\)/);
  });

  it("exit 1 when a record was refused (file:line: why on stderr), and the rest is still written", async () => {
    const bad = join(dir, "bad.txt");
    writeFileSync(bad, readFileSync(FIXTURE, "utf8").replace("MarkForMonitoring : True", "MarkForMonitoring : Perhaps"));
    const out = join(dir, "partial.yaml");
    const r = await cli("import", bad, "-o", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.txt:36: Get-CsAllowedDomain: expected True or False, found "Perhaps"; the record starting at line 32 was not imported/);
    expect(existsSync(out)).toBe(true);
    expect((await cli("validate", out)).code).toBe(0);
  });

  it("exit 2 for a bad --partner and when no SIP domain can be found", async () => {
    const p = await cli("import", FIXTURE, "--partner", "fabrikam.example=skype");
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--partner fabrikam\.example=skype: expected DOMAIN=PRODUCT with PRODUCT one of lync2013/);
    const only = join(dir, "blocked-only.txt");
    writeFileSync(only, "Identity : spam.example\nDomain   : spam.example\nComment  :\n");
    const n = await cli("import", only);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/no SIP domain: .* --sip-domain/);
    expect((await cli("import", only, "--sip-domain", "contoso.example")).code).toBe(0);
  });
});
