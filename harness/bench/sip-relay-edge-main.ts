/**
 * Our Access Edge alone in its own process for `npm run bench -- sip-relay`, so it is
 * measured like the Kamailio edge (a separate process), not sharing the generator's
 * event loop. Reads one JSON line on stdin (EdgeProcessSpec), prints "ready", runs
 * until stdin closes or SIGTERM. Events are dropped (no trace), as in the Kamailio chain.
 */
import { createInterface } from "node:readline";
import { noEvents } from "../../edge/events/types.ts";
import { AccessEdge } from "../../edge/roles/access-edge/index.ts";
import type { FederationConfig } from "../../edge/policy/index.ts";
import type { TlsIdentity } from "../../edge/net/tls-identity.ts";
import { createResolver } from "../dns/resolver.ts";

export interface EdgeProcessSpec {
  host: string;
  config: FederationConfig;
  external: { address: string; fqdn: string; federationPort: number; remotePort: number; identity: TlsIdentity; dns: { address: string; port: number } };
  internal: { address: string; fqdn: string; port: number; identity: TlsIdentity; dns: { address: string; port: number }; poolFqdn: string; poolPort: number };
}

const lines = createInterface({ input: process.stdin });
const first = await new Promise<string>((resolve) => lines.once("line", resolve));
const spec = JSON.parse(first) as EdgeProcessSpec;
const edge = new AccessEdge({
  host: spec.host, config: spec.config, events: noEvents,
  external: { ...spec.external, resolver: createResolver("external", spec.external.dns) },
  internal: { ...spec.internal, resolver: createResolver("internal", spec.internal.dns) },
});
await edge.start();
const stop = async () => {
  await edge.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
lines.on("close", () => void stop());
process.stdout.write("ready\n");
