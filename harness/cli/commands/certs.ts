/** `edgesim certs`: the world's certificates with their SANs, EKUs, expiry and issuer. */
import { X509Certificate } from "node:crypto";
import type { Command } from "commander";
import { join } from "node:path";
import { loadTopology } from "../../topology/registry.ts";
import { loadOrIssuePki } from "../../pki/store.ts";
import { formatTable } from "../table.ts";

const EKU_NAMES: Record<string, string> = { "1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.2": "clientAuth" };

export function registerCerts(program: Command): void {
  program
    .command("certs")
    .description("list the sandbox certificates: subject, SANs, EKU, expiry, issuer")
    .option("-t, --topology <name|file>", "topology name or YAML file", "contoso")
    .option("--state-dir <dir>", "where the certificate cache lives", ".edgesim")
    .option("--json", "print JSON")
    .action(async (opts: { topology: string; stateDir: string; json?: boolean }) => {
      const t = loadTopology(opts.topology);
      const pki = await loadOrIssuePki(t, join(opts.stateDir, "pki", t.name));
      const rows = [...pki.identities.values()].map((id) => {
        const cert = new X509Certificate(id.certPem);
        return {
          name: id.name,
          subject: cert.subject.replace(/\n/g, ", "),
          san: (cert.subjectAltName ?? "").replace(/DNS:/g, "").split(", ").filter(Boolean),
          eku: (cert.keyUsage ?? []).map((o) => EKU_NAMES[o] ?? o),
          validTo: new Date(cert.validTo).toISOString(),
          issuer: id.request.untrustedCa ? "untrusted rogue CA" : "sandbox CA",
        };
      });
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ca: pki.caFile, certificates: rows }, null, 2) + "\n");
        return;
      }
      process.stdout.write(`Sandbox CA: ${pki.caFile}\n\n`);
      process.stdout.write(formatTable(["name", "subject", "EKU", "valid to", "issuer", "SANs"], rows.map((r) => [r.name, r.subject, r.eku.join("+"), r.validTo.slice(0, 10), r.issuer, r.san.join(" ")])) + "\n");
    });
}
