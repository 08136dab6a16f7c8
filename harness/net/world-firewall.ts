/**
 * The firewalls of a running world: the model computed from its topology
 * (port-plan.ts) and the ConnectionGate every gated socket asks (PORT-5). One
 * per WorldContext, built on first use, so every service of a world shares it.
 * Scenarios change it while the world runs: remove one rule and see exactly the
 * feature that needs it break (the drop names the rule), or hairpin through the
 * external firewall instead of the reverse proxy (MOB-3).
 *
 * The gate sees the ports actually bound; below 1024 without root those are the
 * documented port + 10000 (harness/world/ports.ts), so it maps them back first.
 */
import { check } from "../../edge/firewall/check.ts";
import type { FirewallModel, FirewallRule, HairpinMode } from "../../edge/firewall/types.ts";
import type { ConnectionGate } from "../../edge/net/gate.ts";
import type { WorldContext } from "../world/service.ts";
import { PRIVILEGED_FALLBACK_OFFSET } from "../world/ports.ts";
import { computePortPlan, firewallModel, type PortPlan } from "./port-plan.ts";

export interface WorldFirewall {
  plan: PortPlan;
  model: FirewallModel;
  gate: ConnectionGate;
  /** Takes one rule out of force (a scenario); returns it. */
  removeRule(id: string): FirewallRule;
  /** Puts a known rule (any feature's, from the catalogue) in force, as an admin who opens more than the plan needs; returns it. */
  addRule(id: string): FirewallRule;
  setHairpin(mode: HairpinMode): void;
  /** Back to the computed rule set and hairpinning on the reverse proxy. */
  reset(): void;
}

const firewalls = new WeakMap<WorldContext, WorldFirewall>();

export function worldFirewall(ctx: WorldContext): WorldFirewall {
  const known = firewalls.get(ctx);
  if (known) return known;
  const plan = computePortPlan(ctx.topology);
  const model = firewallModel(plan);
  const documented = (port: number) => {
    const base = port - PRIVILEGED_FALLBACK_OFFSET;
    return base > 0 && base < 1024 && ctx.mapPort(base) === port ? base : port;
  };
  // TCP passes dialled by one gated host and accepted by another are one connection: traced once, at the dial.
  const dialled = new Map<string, number>();
  const gate: ConnectionGate = (tuple, meta) => {
    const d = check(model, { ...tuple, dstPort: documented(tuple.dstPort) }, meta);
    const decision = { allowed: d.allowed, ...(d.firewall ? { firewall: d.firewall } : {}), ...(d.rule ? { ruleId: d.rule.id } : {}), ...(d.missing ? { missing: d.missing } : {}), rules: d.rules, detail: d.detail };
    if (!d.allowed || !d.firewall || tuple.transport === "udp") return decision;
    const key = `${tuple.srcAddress}>${tuple.dstAddress}:${tuple.dstPort}`;
    if (tuple.srcPort === 0) {
      // A dial (no source port yet). Dials to real peers are never accepted here: the map is bounded.
      if (dialled.size >= 4096) dialled.clear();
      dialled.set(key, (dialled.get(key) ?? 0) + 1);
      return decision;
    }
    const waiting = dialled.get(key) ?? 0;
    if (waiting === 0) return decision;
    if (waiting === 1) dialled.delete(key);
    else dialled.set(key, waiting - 1);
    return { ...decision, alreadyTraced: true };
  };
  const fw: WorldFirewall = {
    plan,
    model,
    gate,
    removeRule(id) {
      const i = model.rules.findIndex((r) => r.id === id);
      if (i < 0) throw new RangeError(`the world's firewall has no rule '${id}' in force (known: ${model.rules.map((r) => r.id).join(", ")})`);
      return model.rules.splice(i, 1)[0]!;
    },
    addRule(id) {
      const known = model.rules.find((r) => r.id === id);
      if (known) return known;
      const rule = model.catalogue.find((r) => r.id === id);
      if (!rule) throw new RangeError(`no known firewall rule '${id}' (known: ${model.catalogue.map((r) => r.id).join(", ")})`);
      model.rules.push(rule);
      return rule;
    },
    setHairpin(mode) {
      model.hairpin = mode;
    },
    reset() {
      model.rules.splice(0, model.rules.length, ...plan.rules);
      model.hairpin = "reverse-proxy";
    },
  };
  firewalls.set(ctx, fw);
  return fw;
}
