/**
 * Zone bases for test files that start worlds: each takes 127.B.0.0/16 ..
 * 127.B+3.0.0/16 (topologyAt in world.ts), so test files never share an address.
 * Add a line here when a new test file starts a world; keep bases 4 apart.
 */
export const ZONE_BASE = {
  lbKernel: 76,
  dashboard: 80,
  scenarios: 84,
  scenarioFiles: 88,
  lbScenarios: 96,
  xmppScenarios: 92,
  dns: 100,
  pki: 104,
  cli: 108,
  world: 112,
  dnsLoadBalanced: 248,
  // 116-148: Access Edge and SIP partners
  accessEdgeFederation: 116,
  accessEdgeFailover: 120,
  accessEdgeCertificates: 124,
  accessEdgeBadInput: 128,
  accessEdgeThrottle: 132,
  accessEdgeKamailio: 136,
  accessEdgeRoutingModes: 140,
  accessEdgeProperty: 144,
  accessEdgeSipJs: 148,
  // 44-59 (between the default world's 40 and the bench's 60): hostile input, Timer C, faults and floods through the VIPs.
  accessEdgeVip: 44,
  // The public IM test (PIC-1) with the hardware load balancer (76 is the kernel balancer's).
  accessEdgePublicIm: 48,
  // 152-180: A/V Edge and load balancer
  avEdgeFlows: 152,
  avEdgeErrors: 156,
  avEdgeInterop: 160,
  lbUnit: 168,
  lbWorld: 172,
  lbMisconfig: 176,
  lbPcap: 180,
  avCall: 164,
  // 184-212: XMPP
  xmppMini: 184,
  xmppHostile: 188,
  xmppProsody: 192,
  xmppMatrix: 196,
  xmppFrontEnd: 200,
  // 216-244: firewall, reverse proxy, mobility
  reverseProxy: 216,
  mobility: 220,
  mobilityAffinity: 224,
  mobilityCname: 228,
  firewallRoles: 204,
  firewallXmpp: 208,
  firewallDns: 212,
  firewallSip: 64,
  firewallSipFresh: 72,
  // 252 is out of range (a base needs 4 /16s up to 255): the webconf/A/V-auth gating test takes 68.
  firewallWebconfAvAuth: 68,
  // diff --live and the matrix round trip (test/diff/live.test.ts).
  diffLive: 52,
  scenarioSteps: 232,
  scenarioStepsRun: 236,
  avCallSnat: 240,
  avCallRefused: 244,
} as const;
