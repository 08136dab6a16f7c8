/**
 * Scenario sentences for the firewalls of a running world (PORT-5, MOB-3):
 *
 *   remove firewall rule 004-int-https-4443        (by ID, as `edgesim ports --format json` names it)
 *   remove firewall rule "HTTP/TCP/8080"           (by the seeds' label, when only one rule in force has it)
 *   add firewall rule 002-ext-vip-sip-5061-in      (any known rule, e.g. one the plan leaves closed because its feature is off)
 *   restore firewall rules                         (the computed rule set again; hairpinning unchanged)
 *   the external firewall hairpins                 (MOB-3: anti-spoofing drops inside clients)
 *   the reverse proxy hairpins                     (MOB-3: the fix, and the default)
 *   fabrikam-edge1 connects to sip.contoso.test on TCP 5061
 *
 * The last is a probe for any other feature: a TCP connection from a host of the
 * address plan (`host` or `host/interface`) to a name resolved in that host's DNS
 * view, through the firewall gate. `delivered` means the connection was
 * accepted; a drop carries the firewall, the missing rule and its rule IDs.
 */
import { FirewallDropError, gatedConnect } from "../../../edge/net/gate.ts";
import type { FirewallRule } from "../../../edge/firewall/types.ts";
import { worldFirewall } from "../../net/world-firewall.ts";
import type { ActionKind, ActionResult, ScenarioContext } from "../types.ts";
import { describeDrop, withFirewallTrace } from "./firewall-trace.ts";

const PROBE_TIMEOUT_MS = 5_000;

function describeRule(r: FirewallRule): string {
  return `${r.id} (${r.firewall} firewall, ${r.direction} ${r.protocol}/${r.ports[0] === r.ports[1] ? r.ports[0] : r.ports.join("-")}, ${r.label}: ${r.source.label} -> ${r.destination.label}; feature ${r.feature})`;
}

function findRule(ctx: ScenarioContext, wanted: string): FirewallRule {
  const model = worldFirewall(ctx.world.context).model;
  const byId = model.rules.find((r) => r.id === wanted);
  if (byId) return byId;
  const byLabel = model.rules.filter((r) => r.label.toLowerCase() === wanted.toLowerCase());
  if (byLabel.length === 1) return byLabel[0]!;
  if (byLabel.length > 1) throw new RangeError(`"${wanted}" names ${byLabel.length} rules in force (${byLabel.map((r) => r.id).join(", ")}): say which by ID`);
  const gone = model.catalogue.some((r) => r.id === wanted) ? ` (${wanted} is a known rule, but not in force: removed already, or its feature is off)` : "";
  throw new RangeError(`no firewall rule '${wanted}' in force${gone}; rules in force: ${model.rules.map((r) => r.id).join(", ")}`);
}

function change(summary: string, rules: string[] = []): ActionResult {
  return { kind: "firewall.change", summary, data: { rules, detail: summary } };
}

async function probe(ctx: ScenarioContext, source: string, name: string, port: number): Promise<ActionResult> {
  const world = ctx.world;
  const [host, iface] = source.split("/");
  const entry = world.plan.byHost(host!, iface);
  const view = entry.zone === "internal" || entry.zone === "perimeterInternal" ? "internal" : "external";
  const [address] = await world.context.resolvers[view].resolveA(name);
  if (!address) throw new RangeError(`${name} has no address in the ${view} view`);
  const dialPort = world.context.mapPort(port);
  const what = `${entry.host}/${entry.iface} (${entry.address}) -> ${name} (${address}) TCP ${port}${dialPort !== port ? ` (bound at ${dialPort})` : ""}`;
  const { value, trace } = await withFirewallTrace(ctx.events, async () => {
    try {
      const socket = await Promise.race([
        gatedConnect({ gate: worldFirewall(world.context).gate, events: world.context.events, host: entry.host, purpose: `scenario probe to ${name}:${port}`, localAddress: entry.address, address, port: dialPort }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS).unref()),
      ]);
      socket.destroy();
      return { connected: true, why: "connected" };
    } catch (err) {
      if (err instanceof FirewallDropError) return { connected: false, why: err.message };
      const code = (err as NodeJS.ErrnoException).code;
      return { connected: false, why: code === "ECONNREFUSED" ? `nothing listens there (ECONNREFUSED): the firewalls passed it` : `${code ? code + ": " : ""}${(err as Error).message}` };
    }
  });
  return {
    kind: "firewall.probe",
    summary: `${what}: ${value.why}`,
    data: { delivered: value.connected, rules: trace.rules, drops: trace.drops, detail: trace.drops.map(describeDrop).join("; ") || value.why },
  };
}

export const FIREWALL_ACTIONS: ActionKind[] = [
  {
    name: "firewall.removeRule",
    example: "remove firewall rule 004-int-https-4443",
    pattern: /^remove firewall rule (?:"([^"]+)"|(\S+))$/i,
    async run(ctx, m) {
      const rule = findRule(ctx, m[1] ?? m[2]!);
      worldFirewall(ctx.world.context).removeRule(rule.id);
      return change(`removed ${describeRule(rule)}`, rule.rules);
    },
  },
  {
    name: "firewall.addRule",
    example: "add firewall rule 002-ext-vip-sip-5061-in",
    pattern: /^add firewall rule (\S+)$/i,
    async run(ctx, m) {
      const fw = worldFirewall(ctx.world.context);
      const already = fw.model.rules.some((r) => r.id === m[1]);
      const rule = fw.addRule(m[1]!);
      return change(already ? `${describeRule(rule)} was already in force` : `added ${describeRule(rule)}: more than the enabled features need (PORT-5)`, rule.rules);
    },
  },
  {
    name: "firewall.restore",
    example: "restore firewall rules",
    pattern: /^restore (?:the )?firewall rules$/i,
    async run(ctx) {
      const fw = worldFirewall(ctx.world.context);
      const hairpin = fw.model.hairpin;
      const missing = fw.plan.rules.filter((r) => !fw.model.rules.includes(r)).map((r) => r.id);
      fw.reset();
      fw.setHairpin(hairpin);
      return change(missing.length ? `restored ${missing.join(", ")}` : "every computed rule was already in force");
    },
  },
  {
    name: "firewall.hairpin",
    example: "the external firewall hairpins",
    pattern: /^the (external firewall|reverse proxy) hairpins$/i,
    async run(ctx, m) {
      const mode = m[1]!.toLowerCase() === "reverse proxy" ? "reverse-proxy" : "external-firewall";
      worldFirewall(ctx.world.context).setHairpin(mode);
      return change(mode === "reverse-proxy" ? "inside clients reach the reverse proxy's external listener by the internal firewall's hairpin rule (MOB-3)" : "inside clients are hairpinned through the external firewall, whose anti-spoofing drops them (MOB-3)", ["MOB-3"]);
    },
  },
  {
    name: "firewall.probe",
    example: "fabrikam-edge1 connects to sip.contoso.test on TCP 5061",
    pattern: /^(\S+) connects to (\S+) on TCP (\d{1,5})$/i,
    run: (ctx, m) => probe(ctx, m[1]!, m[2]!, Number(m[3])),
  },
];
