/**
 * Scenario sentences for mobile clients (seed 000, MOB-1..MOB-4):
 *
 *   alice@contoso.test's phone signs in from outside
 *   carol@contoso.test's phone signs in from inside
 *   alice@contoso.test's phone signs in from outside over HTTPS only
 *   alice@contoso.test's phone signs in from outside over HTTP first
 *
 * A sign-in is the whole flow of harness/clients/mobile.ts: lyncdiscoverinternal
 * then lyncdiscover (MOB-1), HTTPS then HTTP unless told (MOB-4), the user's
 * links, then a UCWA application created and read back through the reverse proxy
 * (MOB-2, MOB-3). The result says whether the phone got through (`delivered`),
 * the status of the step that failed, the rule IDs of failed steps and of every
 * firewall event on the way (`rules`), the drops, and each step (`steps`, read by
 * `expect step "..." failed by RULE`).
 */
import type { ActionKind, ActionResult } from "../types.ts";
import type { MobileResult, MobileStep, Scheme } from "../../clients/mobile.ts";
import { mobileClientIn, type Where } from "../../clients/world-mobile.ts";
import { describeDrop, withFirewallTrace } from "./firewall-trace.ts";

function schemesFor(scheme: string | undefined, order: string | undefined): Scheme[] | undefined {
  if (!scheme) return undefined;
  const first = scheme.toLowerCase() as Scheme;
  return order?.toLowerCase() === "only" ? [first] : [first, first === "https" ? "http" : "https"];
}

function describeStep(s: MobileStep): string {
  const outcome = s.ok ? `ok ${s.status ?? ""}`.trim() : `FAILED${s.status !== undefined ? ` ${s.status}` : ""}${s.error ? `: ${s.error}` : ""}`;
  return `${s.what}${s.url ? ` (${s.url})` : ""}: ${outcome}${s.rules.length ? ` [${s.rules.join(", ")}]` : ""}`;
}

/** MOB-2 holds when the answer puts both Mobility Service URLs (Mcx, UCWA; internal and external) on the external web FQDN. */
function followsMob2(r: MobileResult, externalWebFqdn: string): boolean {
  const keys = ["internal/mcx", "external/mcx", "internal/ucwa", "external/ucwa"];
  return keys.every((k) => {
    const href = r.links?.[k]?.href;
    return href !== undefined && new URL(href).hostname === externalWebFqdn.toLowerCase();
  });
}

/** Where the phone got through: the access location, the autodiscover name and scheme that answered, and the UCWA server. */
function via(r: MobileResult): string {
  const root = r.steps.find((s) => s.ok && s.what.startsWith("autodiscover root"));
  const rootUrl = root?.url ? new URL(root.url) : undefined;
  const ucwa = r.steps.find((s) => s.what === "create UCWA application" && s.url)?.url;
  return [
    r.accessLocation ?? "no access location",
    rootUrl ? `autodiscover ${rootUrl.hostname} over ${rootUrl.protocol.replace(":", "").toUpperCase()}` : "no autodiscover answer",
    ucwa ? `Mobility Service on ${new URL(ucwa).hostname}` : "",
    r.ucwa ? `UCWA held by ${r.ucwa.server}` : "",
  ].filter(Boolean).join(", ");
}

export const MOBILITY_ACTIONS: ActionKind[] = [
  {
    name: "mobile.signIn",
    example: "alice@contoso.test's phone signs in from outside [over HTTPS|HTTP only|first]",
    pattern: /^(\S+@\S+)'s phone signs in from (inside|outside)(?: over (HTTPS|HTTP) (only|first))?$/i,
    async run(ctx, m): Promise<ActionResult> {
      const where = m[2]!.toLowerCase() as Where;
      const client = mobileClientIn(ctx.world, m[1]!, where, schemesFor(m[3], m[4]));
      const { value: r, trace } = await withFirewallTrace(ctx.events, () => client.signIn());
      const failed = r.steps.filter((s) => !s.ok);
      // The step that stopped the sign-in: the last one (earlier failures were fallbacks: lyncdiscoverinternal outside, HTTPS before HTTP).
      const stopper = r.ok ? undefined : r.steps[r.steps.length - 1];
      const mob2 = followsMob2(r, ctx.world.topology.organisation.externalWebFqdn) ? ["MOB-2"] : [];
      const rules = [...new Set([...failed.flatMap((s) => s.rules), ...trace.rules, ...mob2])];
      const steps = r.steps.map((s) => ({ what: s.what, ok: s.ok, rules: s.rules, ...(s.status !== undefined ? { status: s.status } : {}), ...(s.error ? { error: s.error } : {}) }));
      const stepsText = r.steps.map(describeStep).join("; ");
      return {
        kind: "mobile.signIn",
        summary: `${m[1]}'s phone (${where}) ${r.ok ? "signed in" : `did not sign in: ${stopper?.what ?? "no step ran"} failed`}; ${via(r)}`,
        data: {
          delivered: r.ok,
          ...(stopper?.status !== undefined ? { status: stopper.status } : {}),
          rules,
          via: via(r),
          accessLocation: r.accessLocation,
          steps,
          drops: trace.drops,
          detail: `${stepsText}${trace.drops.length ? `; ${trace.drops.map(describeDrop).join("; ")}` : ""}`,
        },
      };
    },
  },
];
