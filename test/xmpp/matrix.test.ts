/**
 * The XMPP negotiation matrix against real Prosody (XMPP-2, XMPP-3): every cell
 * of our TlsNegotiation x SaslNegotiation x SupportDialbackNegotiation against four
 * Prosody configurations gives the outcome the rules in docs/xmpp-federation.md
 * predict. `expected` below is that prediction, written from Prosody's
 * capabilities, independently of the proxy's negotiation code.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { World } from "../../harness/world/world.ts";
import { topologyAt, startTestWorld } from "../kit/world.ts";
import { ZONE_BASE } from "../kit/bases.ts";
import { PEERS, peerIt } from "../kit/peers.ts";
import { allOurSides, runMatrix, type CellResult, type OurSide } from "../../harness/xmpp-matrix/matrix.ts";
import type { ProsodyProfile } from "../../partners/xmpp/prosody.ts";

const it = peerIt(PEERS.prosody);

/** What each Prosody configuration can do on s2s. */
const PROSODY: Record<ProsodyProfile, { tls: boolean; trustsOurCa: boolean }> = {
  dialback: { tls: false, trustsOurCa: false },
  "tls-dialback": { tls: true, trustsOurCa: false },
  "tls-sasl": { tls: true, trustsOurCa: true },
  "tls-secure": { tls: true, trustsOurCa: true },
};

const REFUSED = "refused: policy-violation";

/** Prosody -> us: Prosody's certificate is from our CA, so we can always offer it SASL EXTERNAL after TLS. */
function expectedInbound(o: OurSide, p: (typeof PROSODY)[ProsodyProfile]): string {
  if (!p.tls) return o.tls === "Required" || o.sasl === "Required" || !o.dialback ? REFUSED : "dialback";
  if (o.tls === "NotSupported") return REFUSED; // Prosody requires encryption
  if (o.sasl !== "NotSupported") return "SASL EXTERNAL + TLS";
  return o.dialback ? "dialback + TLS" : REFUSED;
}

/** us -> Prosody: Prosody offers SASL EXTERNAL only when it trusts our CA. */
function expectedOutbound(o: OurSide, p: (typeof PROSODY)[ProsodyProfile]): string {
  if (!p.tls) return o.tls === "Required" || o.sasl === "Required" || !o.dialback ? REFUSED : "dialback";
  if (o.tls === "NotSupported") return REFUSED;
  if (p.trustsOurCa && o.sasl !== "NotSupported") return "SASL EXTERNAL + TLS";
  if (o.sasl === "Required") return REFUSED;
  return o.dialback ? "dialback + TLS" : REFUSED;
}

const normalise = (outcome: string) => (/^refused by us: policy-violation/.test(outcome) ? REFUSED : outcome);

describe("XMPP negotiation matrix with real Prosody", () => {
  let world: World;
  const results: CellResult[] = [];

  beforeAll(async () => {
    const t = topologyAt(ZONE_BASE.xmppMatrix, "contoso", (t) => (t.organisation.edgePool.loadBalancing = "dns"));
    world = await startTestWorld(t, { services: ["dns", "xmpp-proxy", "xmpp-gateway"] });
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("XMPP-2, XMPP-3: each of the 72 cells (18 settings x 4 Prosody configurations) ends as the rules predict", async () => {
    results.push(...(await runMatrix(world, allOurSides(), Object.keys(PROSODY) as ProsodyProfile[])));
    expect(results).toHaveLength(72);
    const wrong = results
      .map((r) => ({ r, inbound: expectedInbound(r.ours, PROSODY[r.profile]), outbound: expectedOutbound(r.ours, PROSODY[r.profile]) }))
      .filter(({ r, inbound, outbound }) => normalise(r.inbound) !== inbound || normalise(r.outbound) !== outbound)
      .map(({ r, inbound, outbound }) => `${r.profile} TLS ${r.ours.tls} SASL ${r.ours.sasl} dialback ${r.ours.dialback}: got in '${r.inbound}' out '${r.outbound}', expected in '${inbound}' out '${outbound}'`);
    expect(wrong).toEqual([]);
    expect(results.filter((r) => !r.inbound.startsWith("refused")).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.outbound.startsWith("refused")).length).toBeGreaterThan(0);
  }, 600_000);
});
