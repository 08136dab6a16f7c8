/**
 * Kamailio 5.6 configurations for edgesim (written to a temporary folder): a SIP
 * edge on mutual TLS with the sandbox CA that either answers requests itself
 * (stateless 200, a partner's user agent) or relays them statefully over mutual TLS
 * to a fixed next hop or to the target of an SRV lookup of the Request-URI's domain
 * (an "edge", e.g. `_sipfederationtls._tcp.<domain>`, DNS-1; answers kept in an
 * htable for cacheSeconds, as our edge's SRV cache does). Knobs, found against Debian's kamailio:
 * tcp_children=1 (Debian's 5.6.3 crashes under bursts of new TLS connections
 * otherwise), large TLS write queues, -m 512 (a stateful relay under load needs more:
 * process.ts says why).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertLoopback } from "../../../edge/net/loopback.ts";
import type { TlsIdentity } from "../../../edge/net/tls-identity.ts";

export interface KamailioRelayRule {
  /** Requests whose To domain is this are relayed... */
  toDomain: string;
  /** ...to this next hop (an address in 127.0.0.0/8) over TLS. */
  nextHop: { address: string; port: number };
}

/** Relay every request to the first target of `<service>.<Request-URI domain>` (libc resolver: port 53 only). */
export interface KamailioSrvRelay {
  /** "_sipfederationtls._tcp" (DNS-1). */
  service: string;
  /** How long an SRV answer is reused (htable autoexpire); our edge keeps 30 s. */
  cacheSeconds: number;
}

export interface KamailioConfigOptions {
  dir: string;
  address: string;
  port: number;
  /** More TLS listen addresses (an edge with an internal and an external interface). */
  alsoListen?: Array<{ address: string; port: number }>;
  /** Send relayed requests from this listen socket (the external interface). */
  sendFrom?: { address: string; port: number };
  /** Relay by SRV lookup instead of the static rules. */
  relaySrv?: KamailioSrvRelay;
  identity: TlsIdentity;
  /** Requests matching a rule are relayed (tm, stateful); all others are answered 200 (sl). */
  relay: KamailioRelayRule[];
  /** "*" relays everything to the first rule's next hop. */
  relayAll?: boolean;
}

export function writeKamailioConfig(o: KamailioConfigOptions): string {
  assertLoopback(o.address, "let Kamailio listen on");
  for (const r of o.relay) assertLoopback(r.nextHop.address, "let Kamailio relay to");
  for (const l of o.alsoListen ?? []) assertLoopback(l.address, "let Kamailio listen on");
  if (o.sendFrom) assertLoopback(o.sendFrom.address, "let Kamailio send from");
  const pem = (name: string, text: string) => {
    const file = join(o.dir, name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  const cert = pem("cert.pem", o.identity.certPem);
  const key = pem("key.pem", o.identity.keyPem);
  const ca = pem("ca.pem", o.identity.caPem);
  const side = (kind: string) => `[${kind}:default]\nmethod = TLSv1.2+\nverify_certificate = yes\nrequire_certificate = yes\nprivate_key = ${key}\ncertificate = ${cert}\nca_list = ${ca}\n`;
  writeFileSync(join(o.dir, "tls.cfg"), `${side("server")}\n${side("client")}`);
  const force = o.sendFrom ? `  force_send_socket(tls:${o.sendFrom.address}:${o.sendFrom.port});\n` : "";
  const relay = o.relaySrv
    ? srvRelay(o.relaySrv, force)
    : o.relayAll && o.relay[0]
    ? `  $du = "sip:${o.relay[0].nextHop.address}:${o.relay[0].nextHop.port};transport=tls";\n${force}  if (!t_relay()) sl_reply_error();\n  exit;\n`
    : o.relay.map((r) => `  if ($td == "${r.toDomain}") {\n    $du = "sip:${r.nextHop.address}:${r.nextHop.port};transport=tls";\n    if (!t_relay()) sl_reply_error();\n    exit;\n  }\n`).join("");
  const cfg = `#!KAMAILIO
debug=1
log_stderror=yes
children=2
tcp_children=1
enable_tls=yes
disable_tcp=no
auto_aliases=no
listen=tls:${o.address}:${o.port}
${(o.alsoListen ?? []).map((l) => `listen=tls:${l.address}:${l.port}\n`).join("")}tcp_conn_wq_max=4194304
tcp_connection_lifetime=3605
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "tls.so"
${o.relaySrv ? `loadmodule "ipops.so"\nloadmodule "htable.so"\nmodparam("htable", "htable", "srv=>size=8;autoexpire=${o.relaySrv.cacheSeconds};")\ndns_use_search_list=no\n` : ""}modparam("tls", "config", "${join(o.dir, "tls.cfg")}")
modparam("tls", "con_ct_wq_max", 4194304)
modparam("tls", "ct_wq_max", 16777216)

request_route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    exit;
  }
  if (is_method("ACK")) {
    if (t_check_trans()) t_relay();
    exit;
  }
${relay}  sl_send_reply("200", "OK");
  exit;
}
`;
  const file = join(o.dir, "kamailio.cfg");
  writeFileSync(file, cfg);
  return file;
}

/** The SRV relay: look up `<service>.$rd` once per cacheSeconds, relay over TLS to its first target (lowest priority). */
function srvRelay(r: KamailioSrvRelay, force: string): string {
  return `  if ($sht(srv=>$rd) == $null) {
    if (!srv_query("${r.service}.$rd", "fed")) {
      sl_send_reply("504", "SRV lookup failed");
      exit;
    }
    $sht(srv=>$rd) = $srvquery(fed=>target[0]) + ":" + $srvquery(fed=>port[0]);
  }
  $du = "sip:" + $sht(srv=>$rd) + ";transport=tls";
${force}  if (!t_relay()) sl_reply_error();
  exit;
`;
}
