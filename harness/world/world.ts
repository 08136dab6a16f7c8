/**
 * Builds a running world from a topology (described apart, in harness/topology):
 * address plan, zones, PKI, then each service in registry order. Everything it
 * binds is in 127.0.0.0/8. stop() closes every socket the world opened.
 */
import { resolve } from "node:path";
import { EventBus } from "../events/bus.ts";
import { JsonlTraceSink } from "../events/trace-sink.ts";
import type { Topology } from "../topology/schema.ts";
import { buildAddressPlan, type AddressPlan } from "./address-plan.ts";
import { buildZones, type Zones } from "../dns/zones.ts";
import { loadOrIssuePki, type WorldPki } from "../pki/store.ts";
import { worldResolvers } from "./world-resolvers.ts";
import { portMapper, canBindPrivileged, PORTS, type PortMapper } from "./ports.ts";
import type { Endpoint, RunningService, ServiceFactory, WorldContext } from "./service.ts";
import { SERVICE_FACTORIES } from "./services.ts";

export interface WorldOptions {
  topology: Topology;
  /** Where the PKI cache and traces live; default ./.edgesim */
  stateDir?: string;
  /** Write a JSON Lines trace of every event here. */
  tracePath?: string;
  /** Bind 443/80/53 as documented (root) or with the +10000 fallback; default: root or not. */
  privileged?: boolean;
  /** Start only these services (by registry name); default all. */
  services?: string[];
  /** Factories used instead of the registry's factory of the same name, in its place (tests: a service with short timers). */
  replace?: ServiceFactory[];
  bus?: EventBus;
}

export interface ReadyInfo {
  ready: true;
  topology: string;
  elapsedMs: number;
  dns: { internal: string; external: string };
  ca: string;
  privilegedPorts: boolean;
  endpoints: Endpoint[];
}

export class World {
  private constructor(
    readonly topology: Topology,
    readonly plan: AddressPlan,
    readonly zones: Zones,
    readonly pki: WorldPki,
    readonly bus: EventBus,
    readonly context: WorldContext,
    private readonly services: RunningService[],
    private readonly trace: JsonlTraceSink | undefined,
    readonly readyInfo: ReadyInfo,
  ) {}

  static async start(opts: WorldOptions): Promise<World> {
    const started = Date.now();
    const t = opts.topology;
    const bus = opts.bus ?? new EventBus();
    const trace = opts.tracePath ? new JsonlTraceSink(bus, opts.tracePath) : undefined;
    bus.emit({ kind: "world.starting", ts: Date.now(), host: "world", rules: [], topology: t.name });
    const privileged = opts.privileged ?? canBindPrivileged();
    const mapPort: PortMapper = portMapper(privileged);
    const plan = buildAddressPlan(t);
    const zones = buildZones(t, plan, mapPort);
    const pki = await loadOrIssuePki(t, resolve(opts.stateDir ?? ".edgesim", "pki", t.name));
    const dnsPort = mapPort(PORTS.dns);
    const { resolvers, resolverFor } = worldResolvers(plan, dnsPort);
    const ctx: WorldContext = { topology: t, plan, zones, pki, events: bus.emit, mapPort, resolvers, resolverFor, running: new Map() };
    const services: RunningService[] = [];
    const factories = selectFactories(opts.services, opts.replace);
    try {
      for (const f of factories) {
        const s = await f.start(ctx);
        services.push(s);
        ctx.running.set(s.name, s);
        for (const e of s.endpoints)
          bus.emit({ kind: "service.listening", ts: Date.now(), host: e.host, rules: [], role: e.role, fqdn: e.fqdn, tuple: { transport: e.transport, srcAddress: e.address, srcPort: e.port, dstAddress: e.address, dstPort: e.port } });
      }
    } catch (err) {
      // The start error is the one to report; a service that also fails to stop is traced, not thrown.
      await stopAll(services, bus);
      await trace?.close();
      throw err;
    }
    const endpoints = services.flatMap((s) => s.endpoints);
    const elapsedMs = Date.now() - started;
    bus.emit({ kind: "world.ready", ts: Date.now(), host: "world", rules: [], elapsedMs, endpoints: endpoints.length });
    const ready: ReadyInfo = {
      ready: true,
      topology: t.name,
      elapsedMs,
      dns: { internal: `${plan.dns.internal}:${dnsPort}`, external: `${plan.dns.external}:${dnsPort}` },
      ca: pki.caFile,
      privilegedPorts: privileged,
      endpoints,
    };
    return new World(t, plan, zones, pki, bus, ctx, services, trace, ready);
  }

  service(name: string): RunningService {
    const s = this.context.running.get(name);
    if (!s) throw new RangeError(`the world runs no service '${name}'`);
    return s;
  }

  /**
   * Stops every service in reverse start order, each even when one before it throws
   * (a socket left open would outlive the world); then throws the failures together.
   */
  async stop(): Promise<void> {
    const failures = await stopAll(this.services, this.bus);
    this.bus.emit({ kind: "world.stopped", ts: Date.now(), host: "world", rules: [] });
    await this.trace?.close();
    if (failures.length === 1) throw failures[0]!;
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} services failed to stop: ${failures.map((e) => e.message).join("; ")}`);
  }
}

/** Stop each service, last started first; a failure is traced and kept, and the next service is still stopped. */
async function stopAll(services: readonly RunningService[], bus: EventBus): Promise<Error[]> {
  const failures: Error[] = [];
  for (const s of [...services].reverse()) {
    try {
      await s.stop();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const failure = new Error(`service '${s.name}' failed to stop: ${e.message}`, { cause: e });
      bus.emit({ kind: "note", ts: Date.now(), host: "world", rules: [], detail: failure.message });
      failures.push(failure);
    }
  }
  return failures;
}

function selectFactories(names?: string[], replace: ServiceFactory[] = []): ServiceFactory[] {
  const known = (n: string) => SERVICE_FACTORIES.some((f) => f.name === n);
  const unknown = [...(names ?? []), ...replace.map((f) => f.name)].filter((n) => !known(n));
  if (unknown.length) throw new RangeError(`unknown service(s) ${unknown.join(", ")}; known: ${SERVICE_FACTORIES.map((f) => f.name).join(", ")}`);
  const chosen = names ? SERVICE_FACTORIES.filter((f) => names.includes(f.name)) : SERVICE_FACTORIES;
  return chosen.map((f) => replace.find((r) => r.name === f.name) ?? f);
}
