/**
 * Runs the XMPP negotiation matrix against real Prosody and writes
 * docs/xmpp-matrix.md: `npx tsx harness/xmpp-matrix/write-doc.ts`. Uses its own
 * zones (127.68.0.0/16 .. 127.71.0.0/16) and a temporary PKI cache, and stops
 * everything it started.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTopology } from "../topology/registry.ts";
import { World } from "../world/world.ts";
import { projectPath } from "../paths/project-root.ts";
import { allOurSides, PROSODY_PROFILES, runMatrix, type CellResult } from "./matrix.ts";

export const MATRIX_ZONE_BASE = 68;

async function main(): Promise<void> {
  const t = structuredClone(loadTopology("contoso"));
  const b = MATRIX_ZONE_BASE;
  // Prosody reaches each edge directly (DNS load balancing, DNS-5): the cells measure negotiation, not the balancer.
  t.organisation.edgePool.loadBalancing = "dns";
  t.addressing = { internal: `127.${b}.0.0/16`, perimeterInternal: `127.${b + 1}.0.0/16`, perimeterExternal: `127.${b + 2}.0.0/16`, internet: `127.${b + 3}.0.0/16` };
  const world = await World.start({ topology: t, stateDir: mkdtempSync(join(tmpdir(), "edgesim-matrix-")), privileged: false, services: ["dns", "xmpp-proxy", "xmpp-gateway"] });
  const started = Date.now();
  let results: CellResult[];
  try {
    results = await runMatrix(world, allOurSides(), PROSODY_PROFILES.map((p) => p.profile), (r) =>
      process.stdout.write(`${r.profile.padEnd(12)} TLS ${r.ours.tls.padEnd(12)} SASL ${r.ours.sasl.padEnd(12)} dialback ${String(r.ours.dialback).padEnd(5)} in: ${r.inbound} | out: ${r.outbound}\n`),
    );
  } finally {
    await world.stop();
  }
  const lines = [
    "# XMPP negotiation matrix (produced by running it)",
    "",
    "Written by `npx tsx harness/xmpp-matrix/write-doc.ts` (harness/xmpp-matrix/matrix.ts): our XMPP",
    "allowed-partner entry for jabber.test (XMPP-2: TlsNegotiation, SaslNegotiation, SupportDialbackNegotiation)",
    "against a real Prosody 0.12 in four configurations. Each cell sends one IM from an @xmpp/client user at",
    "Prosody to alice@contoso.test (**in**: Prosody -> our XMPP proxy) and one from alice back (**out**: our",
    "proxy -> Prosody), and reports how the stream authenticated (`+ TLS` when STARTTLS was used) or who",
    "refused it and why (stream error condition and rule). Do not edit by hand: rerun the script.",
    "",
    `Run: ${new Date().toISOString().slice(0, 10)}, ${results.length} cells in ${Math.round((Date.now() - started) / 1000)} s.`,
    "",
  ];
  for (const p of PROSODY_PROFILES) {
    lines.push(`## Prosody \`${p.profile}\`: ${p.offers}`, "", "| TlsNegotiation | SaslNegotiation | Dialback | in (Prosody -> us) | out (us -> Prosody) |", "|---|---|---|---|---|");
    for (const r of results.filter((x) => x.profile === p.profile)) lines.push(`| ${r.ours.tls} | ${r.ours.sasl} | ${r.ours.dialback ? "yes" : "no"} | ${r.inbound} | ${r.outbound} |`);
    lines.push("");
  }
  writeFileSync(projectPath("docs/xmpp-matrix.md"), lines.join("\n"));
  process.stdout.write(`wrote docs/xmpp-matrix.md (${results.length} cells)\n`);
}

await main();
