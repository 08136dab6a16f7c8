/**
 * The verdict the engine returns, and the DecisionPath that builds it: every step
 * is recorded with its rule ID so that `edgesim explain` and the event trace
 * show the same reasons the SIP response carries (FED-12).
 */
import type { ProviderKind } from "./domains.ts";
import type { DiagnosticsKey, Refusal } from "./diagnostics.ts";
import { DIAGNOSTICS, ownCode, refusalFor } from "./diagnostics.ts";
import type { ThrottleEvent, ThrottleState } from "./throttle.ts";
import { recordOutcome } from "./throttle.ts";

export const FEDERATION_PORT = 5061;
/** XMPP-1: server-to-server XMPP on the Access Edge's external address. */
export const XMPP_SERVER_PORT = 5269;

export type Route =
  | { kind: "srv"; domain: string; srvName: string; port: typeof FEDERATION_PORT; rule: "FED-2" | "FED-3" }
  | { kind: "proxyFqdn"; domain: string; fqdn: string; port: typeof FEDERATION_PORT; rule: "FED-4" }
  | {
      kind: "provider";
      domain: string;
      provider: string;
      providerKind: ProviderKind;
      fqdn: string;
      port: typeof FEDERATION_PORT;
      rule: "FED-5";
      /** PIC-2: our edge certificate must carry clientAuth for this TLS client connection. */
      requiresClientAuthEku: boolean;
    }
  | { kind: "defaultRoute"; domain: string; fqdn: string; port: typeof FEDERATION_PORT; rule: "FED-8" }
  | { kind: "xmpp"; domain: string; srvName: string; fqdn?: string; port: typeof XMPP_SERVER_PORT; rule: "XMPP-2" }
  | { kind: "internal"; user: string };

export type Verification = "verifiable" | "unverifiable";

export interface DecisionStep {
  rule: string;
  text: string;
}

export interface Verdict {
  allowed: boolean;
  /** Every rule that took part, in first-use order. */
  rules: string[];
  steps: DecisionStep[];
  route?: Route;
  verification?: Verification;
  refusal?: Refusal;
  /** FED-11 events raised while deciding (14601 report, 14603 rate limit). */
  events?: ThrottleEvent[];
  /** FED-11: the throttle state to pass to the next decide() call, when throttling took part. */
  nextThrottleState?: ThrottleState;
}

export class DecisionPath {
  readonly steps: DecisionStep[] = [];
  private events: ThrottleEvent[] = [];
  private throttleState: ThrottleState | undefined;
  private failuresOf: string | undefined;

  step(rule: string, text: string): this {
    this.steps.push({ rule, text });
    return this;
  }

  throttled(state: ThrottleState, events: ThrottleEvent[]): this {
    this.throttleState = state;
    this.events.push(...events);
    return this;
  }

  /**
   * FED-11: from here on, a refusal this edge gives `partner` (a discovered
   * partner past its throttle) counts as a failure toward its failed/successful
   * ratio, as the front end's answers do (recordOutcome).
   */
  countRefusalsAsFailures(partner: string): this {
    this.failuresOf = partner;
    return this;
  }

  refuse(key: DiagnosticsKey, detail?: string): Verdict {
    if (this.failuresOf !== undefined && this.throttleState) {
      this.throttleState = recordOutcome(this.throttleState, this.failuresOf, false);
      const p = this.throttleState.partners[this.failuresOf];
      this.step("FED-11", `this refusal counts as a failure of discovered partner ${this.failuresOf} (${p?.failed ?? 0} failed, ${p?.succeeded ?? 0} succeeded)`);
    }
    const refusal = refusalFor(key, detail);
    this.step(DIAGNOSTICS[key].rule, `refused ${refusal.status} ${refusal.reason} (ms-diagnostics ${ownCode(refusal.diagnostics.code)}): ${refusal.diagnostics.text}`);
    return this.finish({ allowed: false, refusal });
  }

  allow(route: Route, verification: Verification): Verdict {
    return this.finish({ allowed: true, route, verification });
  }

  private finish(outcome: Pick<Verdict, "allowed" | "refusal" | "route" | "verification">): Verdict {
    const verdict: Verdict = { ...outcome, rules: [...new Set(this.steps.map((s) => s.rule))], steps: [...this.steps] };
    if (this.events.length > 0) verdict.events = [...this.events];
    if (this.throttleState) verdict.nextThrottleState = this.throttleState;
    return verdict;
  }
}

/** The verdict without the throttle state, for JSON output and events. */
export function verdictForJson(verdict: Verdict): Omit<Verdict, "nextThrottleState"> {
  const { nextThrottleState: _state, ...rest } = verdict;
  return rest;
}
