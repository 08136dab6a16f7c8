/** The hardware load balancer (HLB-1, HLB-2, HLB-6): see docs/load-balancer.md. */
export type { Addr, Affinity, AnswerFrom, BackendTarget, LbStrategy, ListenerContext, NatMode } from "./types.ts";
export { BackendPool, type PoolOptions } from "./pool.ts";
export { HealthMonitor, sinkBindingProbe, stunUdpProbe, tcpConnectProbe, type Probe } from "./health.ts";
export { SnatStrategy, type SnatOptions } from "./snat.ts";
export { NoNatStrategy } from "./no-nat.ts";
export { Vip, type VipListenerSpec, type VipOptions } from "./vip.ts";
