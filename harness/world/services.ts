/**
 * The name registry of world services, in start order (mininet keeps such
 * registries for its CLI). Later features add their factory here.
 */
import type { ServiceFactory } from "./service.ts";
import { dnsService } from "./dns-service.ts";
import { avEdgeService } from "./av-edge-service.ts";
import { frontendService } from "./frontend-service.ts";
import { accessEdgeService } from "./access-edge-service.ts";
import { remoteUsersService } from "./remote-users-service.ts";
import { sipPartnersService } from "./sip-partners-service.ts";
import { webService } from "./web-service.ts";
import { reverseProxyService } from "./reverse-proxy-service.ts";
import { psomService } from "../org/psom/service.ts";
import { webconfEdgeService } from "./webconf-edge-service.ts";
import { hlbService } from "./hlb-service.ts";
import { xmppProxyService } from "./xmpp-proxy-service.ts";
import { xmppGatewayService } from "./xmpp-gateway-service.ts";
import { xmppPartnersService } from "./xmpp-partners-service.ts";

/**
 * Start order: DNS, then every role on the edge servers and the front end, then the
 * hardware load balancer (its VIPs forward to roles that must already listen, and
 * its health checks probe them), then what dials through the VIPs: remote users,
 * partners, the reverse proxy's clients and the XMPP partners.
 */
export const SERVICE_FACTORIES: ServiceFactory[] = [
  dnsService,
  avEdgeService,
  frontendService,
  accessEdgeService,
  psomService,
  webconfEdgeService,
  xmppProxyService,
  xmppGatewayService,
  hlbService,
  remoteUsersService,
  sipPartnersService,
  webService,
  reverseProxyService,
  xmppPartnersService,
];

export function serviceNames(): string[] {
  return SERVICE_FACTORIES.map((s) => s.name);
}
