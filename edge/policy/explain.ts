/**
 * What `edgesim explain` prints: the verdict, then the decision path one rule
 * per line, then the route or the refusal (FED-12: the same reason the SIP
 * response and the trace carry).
 */
import type { Route, Verdict } from "./verdict.ts";

function describeRoute(route: Route): string {
  switch (route.kind) {
    case "srv":
      return `SRV ${route.srvName} -> target:${route.port} (${route.rule})`;
    case "proxyFqdn":
      return `${route.fqdn}:${route.port}, no SRV lookup (${route.rule})`;
    case "provider":
      return `${route.providerKind} provider ${route.provider} at ${route.fqdn}:${route.port} (${route.rule})${route.requiresClientAuthEku ? "; our certificate needs the clientAuth EKU (PIC-2)" : ""}`;
    case "defaultRoute":
      return `default route ${route.fqdn}:${route.port} (${route.rule})`;
    case "xmpp":
      return `XMPP ${route.fqdn ?? `SRV ${route.srvName} -> target`}:${route.port} (${route.rule})`;
    case "internal":
      return `deliver to ${route.user}`;
  }
}

/**
 * `headline` replaces ALLOWED/REFUSED when the caller knows more than the policy
 * (e.g. `edgesim explain`: allowed by policy, but DNS leads nowhere, so 504).
 */
export function formatVerdict(verdict: Verdict, headline?: string): string {
  const lines: string[] = [];
  if (headline) lines.push(headline, `  rules: ${verdict.rules.join(", ")}`);
  else lines.push(`${verdict.allowed ? "ALLOWED" : "REFUSED"}  rules: ${verdict.rules.join(", ")}`);
  verdict.steps.forEach((step, i) => lines.push(`  ${String(i + 1).padStart(2)}. [${step.rule}] ${step.text}`));
  if (verdict.route) lines.push(`  route: ${describeRoute(verdict.route)}`);
  if (verdict.verification) lines.push(`  verification: ${verdict.verification} (FED-7)`);
  if (verdict.refusal) {
    const r = verdict.refusal;
    lines.push(`  response: ${r.status} ${r.reason}`);
    lines.push(`  ms-diagnostics: ${r.diagnostics.code};reason="${r.diagnostics.text}"  [${r.diagnostics.code} is edgesim's own code, not Microsoft's]`);
  }
  for (const event of verdict.events ?? []) lines.push(`  event ${event.id} [${event.rule}] ${event.text}`);
  return lines.join("\n");
}
