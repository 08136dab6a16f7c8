/**
 * A running piece of the world (DNS view, Access Edge, partner, ...). Services
 * are built by factories listed in services.ts, in order; each gets the world
 * context and reports the endpoints it listens on, which `edgesim up --json`
 * prints.
 */
import type { EventSink, Transport } from "../../edge/events/types.ts";
import type { NameResolver } from "../../edge/net/resolver.ts";
import type { Topology } from "../topology/schema.ts";
import type { AddressPlan } from "./address-plan.ts";
import type { PortMapper } from "./ports.ts";
import type { WorldPki } from "../pki/store.ts";
import type { Zones } from "../dns/zones.ts";

export interface Endpoint {
  host: string;
  role: string;
  fqdn: string;
  address: string;
  port: number;
  transport: Transport;
  vip: boolean;
}

export interface WorldContext {
  topology: Topology;
  plan: AddressPlan;
  zones: Zones;
  pki: WorldPki;
  events: EventSink;
  mapPort: PortMapper;
  /**
   * Resolvers for the two DNS views, asking from each view's own server address (a
   * query that crosses no firewall): for harness code reading the DNS on nobody's
   * behalf. A simulated host uses `resolverFor` (available once the DNS service has started).
   */
  resolvers: { internal: NameResolver; external: NameResolver };
  /**
   * The resolver of a simulated host: asks `view` from `localAddress` (the host's
   * planned address), so the firewalls judge the query by the host's zone (PORT-5).
   * Memoised per (view, address).
   */
  resolverFor(view: "internal" | "external", localAddress: string): NameResolver;
  /** Services started so far, by name, for services that need another (a partner needs the DNS). */
  running: Map<string, RunningService>;
}

export interface RunningService {
  name: string;
  endpoints: Endpoint[];
  stop(): Promise<void>;
}

export interface ServiceFactory {
  name: string;
  /** Which issue/feature the service belongs to, for `edgesim up` output. */
  describe: string;
  start(ctx: WorldContext): Promise<RunningService>;
}
