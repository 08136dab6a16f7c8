/**
 * FED-9 for remote users: a user may sign in from outside through the Access Edge
 * only when the edge allows outside users (AllowOutsideUsers) and the user's
 * external access policy has EnableOutsideAccess. The policy engine answers for
 * federation; this check is the Access Edge's own, over the same configuration.
 */
import type { FederationConfig } from "../../policy/index.ts";
import { findUser, policyOf } from "../../policy/domains.ts";
import { edgeRefusal, type EdgeRefusal } from "./diagnostics.ts";

export function checkOutsideAccess(config: FederationConfig, aor: string): { ok: true; text: string } | { ok: false; refusal: EdgeRefusal } {
  if (!config.accessEdge.AllowOutsideUsers) return { ok: false, refusal: edgeRefusal("noOutsideAccess", "AllowOutsideUsers is false") };
  const user = findUser(config, aor);
  if (!user) return { ok: false, refusal: edgeRefusal("noOutsideAccess", `${aor} is not a user of this organisation`) };
  const policy = policyOf(config, user);
  if (!policy?.EnableOutsideAccess) return { ok: false, refusal: edgeRefusal("noOutsideAccess", `${aor} (policy ${user.policy ?? "Global"})`) };
  return { ok: true, text: `FED-9: ${aor} may sign in from outside: policy ${policy.Identity} has EnableOutsideAccess` };
}
