/**
 * `edgesim import FILE... [-o topology.yaml]`: Management Shell output (Format-List
 * text or ConvertTo-Json, any of the encodings Out-File writes) -> a topology the
 * loader accepts. Problems print as file:line: why; a bad record is skipped and
 * the rest imports. Exit 0 when every record was imported, 1 when some were
 * skipped (the topology is still written), 2 when no valid topology could be made.
 */
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import { importShellOutput, readInputs } from "../../import/index.ts";
import { parsePartnerOption } from "../../import/partners.ts";
import { formatImportProblem } from "../../import/record.ts";
import { parseTopology } from "../../topology/load.ts";
import type { PartnerProduct } from "../../topology/schema-partners.ts";
import { parseMapOption } from "../../net/real-addresses.ts";

interface ImportOptions {
  output?: string;
  name: string;
  partner: string[];
  sipDomain?: string;
  map: string[];
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command("import")
    .description("turn Lync / Skype for Business Management Shell output (Format-List or ConvertTo-Json) into a topology")
    .argument("<files...>", "files with the output of Get-CsAccessEdgeConfiguration, Get-CsAllowedDomain, Get-CsUser, ...")
    .option("-o, --output <file>", "write the topology here (default: standard output)")
    .option("--name <name>", "the topology's name", "imported")
    .option("--partner <domain=product>", "the product a partner domain runs, e.g. fabrikam.com=lync2010 (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--sip-domain <domain>", "our SIP domain, when no Get-CsUser output names one")
    .option("--map <sandbox=real>", "the admin's own address for a plan entry, kept as realAddresses for edgesim ports --addresses real, e.g. vip-access=203.0.113.10 (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--json", "print the summary and problems as JSON on standard error")
    .action((files: string[], opts: ImportOptions) => {
      const partners = new Map<string, PartnerProduct>(opts.partner.map(parsePartnerOption));
      // A bad --map is refused before anything is read (the sandbox side is checked with the topology below, at its line).
      const realAddresses = opts.map.map(parseMapOption);
      const result = importShellOutput(readInputs(files), { name: opts.name, partners, realAddresses, ...(opts.sipDomain ? { sipDomain: opts.sipDomain } : {}) });
      // The output must load as any hand-written topology does: validate before writing (TopologyConfigError -> exit 2).
      parseTopology(result.yaml, opts.output ? basename(opts.output) : "<imported topology>");
      if (opts.output) writeFileSync(opts.output, result.yaml);
      else process.stdout.write(result.yaml);
      if (opts.json) process.stderr.write(JSON.stringify({ summary: result.summary, problems: result.problems }, null, 2) + "\n");
      else {
        for (const p of result.problems) process.stderr.write(formatImportProblem(p) + "\n");
        const records = Object.values(result.summary.records).reduce((a, b) => a + (b ?? 0), 0);
        process.stderr.write(`edgesim import: ${records} records read, ${result.summary.errors} not imported, ${result.summary.warnings} warnings${opts.output ? `; wrote ${opts.output}` : ""}\n`);
      }
      process.exitCode = result.summary.errors > 0 ? 1 : 0;
    });
}
