/**
 * The name registry of world services, in start order (mininet keeps such
 * registries for its CLI). Later features add their factory here.
 */
import type { ServiceFactory } from "./service.ts";
import { dnsService } from "./dns-service.ts";
import { webService } from "./web-service.ts";
import { reverseProxyService } from "./reverse-proxy-service.ts";
import { psomService } from "../org/psom/service.ts";
import { webconfEdgeService } from "./webconf-edge-service.ts";
import { hlbService } from "./hlb-service.ts";

export const SERVICE_FACTORIES: ServiceFactory[] = [dnsService, webService, reverseProxyService, psomService, webconfEdgeService, hlbService];

export function serviceNames(): string[] {
  return SERVICE_FACTORIES.map((s) => s.name);
}
