/**
 * Every firewall rule an edgesim topology can need, as templates: the rows of the
 * seeds' tables (002: Edge pool behind HLBs, PORT-1..PORT-3; 004: reverse proxy,
 * PORT-4) in the seeds' order with their notes in English, plus the mobility rows
 * of seed 000 (MOB-2/MOB-3 hairpin, push notifications). Sources and
 * destinations are symbolic hosts, resolved against the address plan by
 * port-plan.ts; `feature` says which enabled feature needs the row (PORT-5).
 */
import type { Direction, FirewallName, FwProtocol } from "../../edge/firewall/types.ts";
import type { SeedTableId } from "./seed-tables.ts";

export type HostSymbol =
  | "any" | "access-nodes" | "av-nodes" | "edge-internal-nodes" | "access-vip" | "webconf-vip" | "av-vip" | "internal-vip"
  | "frontend-any" | "frontend" | "rp-external" | "rp-internal" | "owa" | "internal-clients";

export type Feature =
  | "edge" | "remoteUsers" | "federation" | "xmpp" | "webConferencing" | "av" | "avFederation" | "avOcs2007"
  | "reverseProxy" | "autodiscoverHttp" | "officeWebApps" | "mobility" | "mobilityPush";

export interface RuleTemplate {
  id: string;
  table: SeedTableId | "000-mobility" | "edgesim-extras";
  /** 1-based row of the seed table (0 for rows of seed 000's prose). */
  row: number;
  firewall: FirewallName;
  direction: Direction;
  protocol: FwProtocol;
  ports: [number, number];
  label: string;
  source: HostSymbol;
  destination: HostSymbol;
  note: string;
  feature: Feature;
  rules: string[];
}

type Row = [id: string, direction: Direction, protocol: FwProtocol, ports: [number, number] | number, label: string, source: HostSymbol, destination: HostSymbol, note: string, feature: Feature, rules: string[]];

function table(t: RuleTemplate["table"], firewall: FirewallName, rows: Row[]): RuleTemplate[] {
  return rows.map(([id, direction, protocol, ports, label, source, destination, note, feature, rules], i) => ({
    id, table: t, row: t === "000-mobility" || t === "edgesim-extras" ? 0 : i + 1, firewall, direction, protocol, ports: typeof ports === "number" ? [ports, ports] : ports, label, source, destination, note, feature, rules,
  }));
}

const RTP: [number, number] = [50000, 59999];
const OCS2007 = "Required only for federation with partners running Office Communications Server 2007";
const STUN_UDP = "STUN/TURN negotiation of candidates over UDP/3478";
const STUN_TCP = "STUN/TURN negotiation of candidates over TCP/443";
const CLS = "Centralized Logging Service controller: Lync Server Management Shell and CLS cmdlets, ClsController.exe or ClsAgent.exe commands and log collection";
const AV_FALLBACK = "Fallback path for A/V media between internal and external users when UDP cannot be established; TCP is used for file transfer and desktop sharing";
const SIP_FED = "SIP signaling, federation and public IM connectivity using SIP";

export const RULE_TEMPLATES: RuleTemplate[] = [
  ...table("002-external-nodes", "external", [
    ["002-ext-node-http-80-out", "outbound", "tcp", 80, "Access/HTTP/TCP/80", "access-nodes", "any", "Certificate revocation/CRL check and retrieval", "edge", ["PORT-1"]],
    ["002-ext-node-dns-tcp-53-out", "outbound", "tcp", 53, "Access/DNS/TCP/53", "access-nodes", "any", "DNS query over TCP", "edge", ["PORT-1"]],
    ["002-ext-node-dns-udp-53-out", "outbound", "udp", 53, "Access/DNS/UDP/53", "access-nodes", "any", "DNS query over UDP", "edge", ["PORT-1"]],
    ["002-ext-node-rtp-tcp-out", "outbound", "tcp", RTP, "A/V/RTP/TCP/50000-59999", "av-nodes", "any", "Required for federation with partners running OCS 2007, OCS 2007 R2, Lync Server 2010 and Lync Server 2013", "avFederation", ["PORT-1"]],
    ["002-ext-node-rtp-udp-out", "outbound", "udp", RTP, "A/V/RTP/UDP/50000-59999", "av-nodes", "any", OCS2007, "avOcs2007", ["PORT-1"]],
    ["002-ext-node-rtp-tcp-in", "inbound", "tcp", RTP, "A/V/RTP/TCP/50000-59999", "any", "av-nodes", OCS2007, "avOcs2007", ["PORT-1"]],
    ["002-ext-node-rtp-udp-in", "inbound", "udp", RTP, "A/V/RTP/UDP/50000-59999", "any", "av-nodes", OCS2007, "avOcs2007", ["PORT-1"]],
    ["002-ext-node-stun-udp-out", "outbound", "udp", 3478, "A/V/STUN, MSTURN/UDP/3478", "av-nodes", "any", "3478 outbound finds the version of the Edge Server being talked to and carries edge-to-edge media; required for federation with Lync Server 2010, Windows Live Messenger and OCS 2007 R2, and with several Edge pools in the company", "av", ["PORT-1"]],
    ["002-ext-node-stun-udp-in", "inbound", "udp", 3478, "A/V/STUN, MSTURN/UDP/3478", "any", "av-nodes", STUN_UDP, "av", ["PORT-1"]],
    ["002-ext-node-stun-tcp-in", "inbound", "tcp", 443, "A/V/STUN, MSTURN/TCP/443", "any", "av-nodes", STUN_TCP, "av", ["PORT-1"]],
    ["002-ext-node-stun-tcp-out", "outbound", "tcp", 443, "A/V/STUN, MSTURN/TCP/443", "av-nodes", "any", STUN_TCP, "av", ["PORT-1"]],
  ]),
  ...table("002-internal-nodes", "internal", [
    ["002-int-node-xmpp-23456", "outbound", "tcp", 23456, "XMPP/MTLS/TCP/23456", "frontend-any", "edge-internal-nodes", "Outbound XMPP traffic from the XMPP gateway service running on the Front End Server or Front End pool", "xmpp", ["PORT-3", "XMPP-1"]],
    ["002-int-node-cms-4443", "outbound", "tcp", 4443, "HTTPS/TCP/4443", "frontend-any", "edge-internal-nodes", "Replication of changes from the Central Management Store to the Edge Server", "edge", ["PORT-3"]],
    ["002-int-node-psom-8057", "outbound", "tcp", 8057, "PSOM/MTLS/TCP/8057", "frontend-any", "edge-internal-nodes", "Web conferencing traffic from the internal deployment to the internal Edge Server interface", "webConferencing", ["PORT-3"]],
    ["002-int-node-stun-udp", "outbound", "udp", 3478, "STUN/MSTURN/UDP/3478", "frontend-any", "edge-internal-nodes", "Preferred path for A/V media between internal and external users and survivable branch appliances or servers", "av", ["PORT-3"]],
    ["002-int-node-stun-tcp", "outbound", "tcp", 443, "STUN/MSTURN/TCP/443", "frontend-any", "edge-internal-nodes", AV_FALLBACK, "av", ["PORT-3"]],
    ["002-int-node-cls-50001", "outbound", "tcp", 50001, "MTLS/TCP/50001", "any", "edge-internal-nodes", CLS, "edge", ["PORT-3"]],
    ["002-int-node-cls-50002", "outbound", "tcp", 50002, "MTLS/TCP/50002", "any", "edge-internal-nodes", CLS, "edge", ["PORT-3"]],
    ["002-int-node-cls-50003", "outbound", "tcp", 50003, "MTLS/TCP/50003", "any", "edge-internal-nodes", CLS, "edge", ["PORT-3"]],
  ]),
  ...table("002-external-vips", "external", [
    ["002-ext-vip-xmpp-in", "inbound", "tcp", 5269, "XMPP/TCP/5269", "any", "access-vip", "The XMPP Proxy service accepts traffic from XMPP contacts in defined XMPP federations", "xmpp", ["PORT-2", "XMPP-1"]],
    ["002-ext-vip-xmpp-out", "outbound", "tcp", 5269, "XMPP/TCP/5269", "access-vip", "any", "The XMPP Proxy service sends traffic to XMPP contacts in defined XMPP federations", "xmpp", ["PORT-2", "XMPP-1"]],
    ["002-ext-vip-sip-443-in", "inbound", "tcp", 443, "TLS (Access/SIP)/TCP/443", "any", "access-vip", "Client-to-server SIP traffic for external user access", "remoteUsers", ["PORT-2", "DNS-2"]],
    ["002-ext-vip-sip-5061-in", "inbound", "tcp", 5061, "MTLS (Access/SIP)/TCP/5061", "any", "access-vip", SIP_FED, "federation", ["PORT-2", "DNS-1"]],
    ["002-ext-vip-sip-5061-out", "outbound", "tcp", 5061, "MTLS (Access/SIP)/TCP/5061", "access-vip", "any", SIP_FED, "federation", ["PORT-2", "DNS-1"]],
    ["002-ext-vip-psom-443-in", "inbound", "tcp", 443, "Web Conferencing/PSOM (TLS)/TCP/443", "any", "webconf-vip", "Web conferencing media", "webConferencing", ["PORT-2"]],
    ["002-ext-vip-stun-udp-in", "inbound", "udp", 3478, "A/V/STUN, MSTURN/UDP/3478", "any", "av-vip", STUN_UDP, "av", ["PORT-2", "HLB-2"]],
    ["002-ext-vip-stun-tcp-in", "inbound", "tcp", 443, "A/V/STUN, MSTURN/TCP/443", "any", "av-vip", STUN_TCP, "av", ["PORT-2", "HLB-2"]],
  ]),
  ...table("002-internal-vips", "internal", [
    ["002-int-vip-sip-5061-out", "outbound", "tcp", 5061, "MTLS (Access/SIP)/TCP/5061", "frontend-any", "internal-vip", "Outbound SIP traffic (from Director, Director pool VIP, Front End Server or Front End pool VIP) to the internal Edge VIP", "edge", ["PORT-3"]],
    ["002-int-vip-sip-5061-in", "inbound", "tcp", 5061, "MTLS (Access/SIP)/TCP/5061", "internal-vip", "frontend-any", "Inbound SIP traffic from the Edge Server internal interface to the Director, Director pool VIP, Front End Server or Front End pool VIP", "edge", ["PORT-3"]],
    ["002-int-vip-avauth-5062", "outbound", "tcp", 5062, "SIP/MTLS/TCP/5062", "frontend-any", "internal-vip", "Authentication of A/V users (A/V authentication service) from the Front End Server or pool, or a survivable branch appliance or server using this Edge Server", "av", ["PORT-3", "CERT-3"]],
    ["002-int-vip-stun-udp", "outbound", "udp", 3478, "STUN/MSTURN/UDP/3478", "any", "internal-vip", "Preferred path for A/V media between internal and external users", "av", ["PORT-3"]],
    ["002-int-vip-stun-tcp-out", "outbound", "tcp", 443, "STUN/MSTURN/TCP/443", "any", "internal-vip", AV_FALLBACK, "av", ["PORT-3"]],
    ["002-int-vip-stun-tcp-in", "inbound", "tcp", 443, "STUN/MSTURN/TCP/443", "internal-vip", "any", AV_FALLBACK, "av", ["PORT-3"]],
  ]),
  ...table("004-external", "external", [
    ["004-ext-http-80", "inbound", "tcp", 80, "HTTP/TCP/80", "any", "rp-external", "(Optional) redirect to HTTPS when a user types http://<published site FQDN>; also needed for Office Web Apps for conferencing and for mobile autodiscover when the external web services publishing certificate is not to be changed", "autodiscoverHttp", ["PORT-4", "MOB-4"]],
    ["004-ext-https-443", "inbound", "tcp", 443, "HTTPS/TCP/443", "any", "rp-external", "Address book download, Address Book Web Query, autodiscover, client updates, meeting content, device updates, group expansion, Office Web Apps for conferencing, dial-in conferencing and meetings", "reverseProxy", ["PORT-4", "RP-1"]],
  ]),
  ...table("004-internal", "internal", [
    ["004-int-http-8080", "inbound", "tcp", 8080, "HTTP/TCP/8080", "rp-internal", "frontend", "Needed for mobile autodiscover when the external web services publishing certificate is not to be changed: port 80 on the reverse proxy goes to the pool on 8080, so the pool tells it from internal web traffic", "autodiscoverHttp", ["PORT-4", "MOB-4"]],
    ["004-int-https-4443", "inbound", "tcp", 4443, "HTTPS/TCP/4443", "rp-internal", "frontend", "Port 443 on the reverse proxy external interface goes to the pool on 4443 from the internal interface, so the pool web services tell it from internal web traffic", "reverseProxy", ["PORT-4", "RP-1"]],
    ["004-int-owa-443", "inbound", "tcp", 443, "HTTPS/TCP/443", "rp-internal", "owa", "", "officeWebApps", ["PORT-4"]],
  ]),
  ...table("000-mobility", "internal", [
    ["000-mob-hairpin-443", "outbound", "tcp", 443, "Mobility/HTTPS/TCP/443", "internal-clients", "rp-external", "Mobile clients inside reach the Mobility Service on the external web FQDN through the reverse proxy, hairpinned on its external interface", "mobility", ["MOB-2", "MOB-3"]],
    ["000-mob-push-5223-int", "outbound", "tcp", 5223, "Push/APNS/TCP/5223", "internal-clients", "any", "Apple Push Notification Service over the enterprise Wi-Fi (Lync 2010 Mobile; Lync 2013 Mobile does not need it)", "mobilityPush", ["PORT-5"]],
  ]),
  // Not in any seed: what edgesim adds to the product, so the rule set still covers every connection the sandbox makes.
  ...table("edgesim-extras", "external", [
    ["edgesim-ext-node-wss-8443-in", "inbound", "tcp", 8443, "Access/SIP over WSS/TCP/8443", "any", "access-nodes", "edgesim only, not the product: Lync Server 2013 has no SIP over WebSocket; edgesim listens for it on each edge's own access address so sip.js can sign in as a remote user (RFC 7118)", "remoteUsers", ["PORT-5", "FED-9"]],
  ]),
  ...table("000-mobility", "external", [
    ["000-mob-push-5223-ext", "outbound", "tcp", 5223, "Push/APNS/TCP/5223", "internal-clients", "any", "Apple Push Notification Service over the enterprise Wi-Fi (Lync 2010 Mobile; Lync 2013 Mobile does not need it)", "mobilityPush", ["PORT-5"]],
  ]),
];
